package dev.ambit.api;

/** The observed state of a resource ({@code status} in YAML), written by mesh components. */
public interface Status {}
