package dev.attachments.metadata;

/**
 * The metadata store could not be reached or refused a statement: an infrastructure error, worth a
 * retry.
 */
public class MetadataStoreException extends RuntimeException {
  public MetadataStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
