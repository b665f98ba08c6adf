package dev.attachments.upload;

/** The three buckets of the design: presigned PUT only, presigned GET only, worker and operators only. */
public record Buckets(String incoming, String released, String quarantine) {}
