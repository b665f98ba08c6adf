package dev.attachments.s3;

/**
 * The three buckets of the design: presigned PUT only, presigned GET only, worker and operators
 * only.
 */
public record Buckets(String incoming, String released, String quarantine) {}
