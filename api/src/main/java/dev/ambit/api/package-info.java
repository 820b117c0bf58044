/**
 * Ambit's configuration API: Kubernetes-shaped resources with typed specs.
 *
 * <h2>Entry points</h2>
 *
 * <ul>
 *   <li>{@link dev.ambit.api.ConfigReader#read(java.nio.file.Path)} (file or directory), {@link
 *       dev.ambit.api.ConfigReader#read(String, java.io.Reader)} (stdin: name {@code "-"}): YAML or
 *       JSON, multi-document, validated; throws {@link dev.ambit.api.ConfigException} whose {@link
 *       dev.ambit.api.ConfigError}s print as {@code file:line: field.path: message}.
 *   <li>{@link dev.ambit.api.Resource}: the envelope (apiVersion, {@link dev.ambit.api.ObjectMeta},
 *       typed {@link dev.ambit.api.Spec}, optional {@link dev.ambit.api.Status}, {@link
 *       dev.ambit.api.SourceLocation}); {@link dev.ambit.api.Kind} lists the kinds and their served
 *       versions; {@link dev.ambit.api.Resource#toVersion(String)} converts between versions.
 *   <li>{@link dev.ambit.api.ConfigWriter#toYaml(Resource, String)} / {@link
 *       dev.ambit.api.ConfigWriter#toJson(Resource, String)}: write an object in any served
 *       version.
 *   <li>{@link dev.ambit.api.Validation#validate(Resource)}: the reader's rules for objects built
 *       in code.
 *   <li>{@link dev.ambit.api.store.ConfigStore}: the in-memory store (apply all-or-nothing, get,
 *       list, delete, watch, status updates); {@link dev.ambit.api.store.DirectorySource} keeps it
 *       in line with a directory of files.
 * </ul>
 *
 * <p>Spec types: {@code dev.ambit.api.core} (Namespace, Service, Pod, ServiceAccount), {@code
 * dev.ambit.api.security} (AuthorizationPolicy, PeerAuthentication), {@code dev.ambit.api.gateway}
 * (Gateway, HTTPRoute). Fields use the YAML names; a {@code null} scalar or record field means "not
 * set" (API defaults are applied by {@code effective*()} helpers), absent lists and maps are empty.
 * Fields of the upstream APIs that Ambit does not implement are rejected, never ignored.
 */
package dev.ambit.api;
