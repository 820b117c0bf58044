/**
 * Socket options of the capture data path: the original destination after a netfilter REDIRECT
 * ({@link dev.ambit.transport.socket.OriginalDestination}), socket marks and transparent sockets
 * ({@link dev.ambit.transport.socket.SocketOptions}).
 */
package dev.ambit.transport.socket;
