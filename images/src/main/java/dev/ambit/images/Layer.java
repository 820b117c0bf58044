package dev.ambit.images;

import java.nio.file.Path;

/**
 * A gzip-compressed layer blob: {@code digest} and {@code size} of the compressed file, {@code
 * diffId} the sha256 of the uncompressed tar (what an image config lists).
 */
public record Layer(String name, Path file, String digest, long size, String diffId) {}
