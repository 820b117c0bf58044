/**
 * Sockets in other network namespaces: {@link dev.ambit.transport.netns.Netns} switches the current
 * platform thread with {@code setns(2)} for the duration of a call, {@link
 * dev.ambit.transport.netns.NetnsChannelFactory} creates Netty epoll channels that way.
 */
package dev.ambit.transport.netns;
