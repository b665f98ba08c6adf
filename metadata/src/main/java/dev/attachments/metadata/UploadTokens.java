package dev.attachments.metadata;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** The upload tokens owners mint: what each allows, and how many uploads it has made. */
public final class UploadTokens {
  private final Store store;

  public UploadTokens(DataSource dataSource) {
    this.store = new Store(dataSource);
  }

  /**
   * A token's limits.
   *
   * @param types media types or {@code type/*} wildcards the token's uploads may declare
   * @param uploadsUsed how many attachments the token has created
   */
  public record UploadToken(
      UUID id,
      String owner,
      int maxUploads,
      long maxSize,
      List<String> types,
      int uploadsUsed,
      Instant expiresAt) {}

  /** A token as stored, with the digest a presented token must match. */
  public record Stored(UploadToken token, byte[] digest) {}

  public void insert(UploadToken token, byte[] digest, Instant createdAt) {
    store.read(
        "could not record upload token " + token.id(),
        handle ->
            handle
                .createUpdate(
                    "insert into upload_token (id, owner, token_sha256, max_uploads, max_size, types,"
                        + " expires_at, created_at) values (:id, :owner, :digest, :maxUploads,"
                        + " :maxSize, :types, :expiresAt, :createdAt)")
                .bind("id", token.id())
                .bind("owner", token.owner())
                .bind("digest", digest)
                .bind("maxUploads", token.maxUploads())
                .bind("maxSize", token.maxSize())
                .bind("types", token.types().toArray(String[]::new))
                .bind("expiresAt", Store.timestamp(token.expiresAt()))
                .bind("createdAt", Store.timestamp(createdAt))
                .execute());
  }

  /** The token with this id, expired or not. */
  public Optional<Stored> find(UUID id) {
    return store.read(
        "could not read upload token " + id,
        handle ->
            handle
                .createQuery(
                    "select id, owner, token_sha256, max_uploads, max_size, types, uploads_used,"
                        + " expires_at from upload_token where id = :id")
                .bind("id", id)
                .map(
                    (row, context) ->
                        new Stored(
                            new UploadToken(
                                row.getObject("id", UUID.class),
                                row.getString("owner"),
                                row.getInt("max_uploads"),
                                row.getLong("max_size"),
                                Arrays.asList((String[]) row.getArray("types").getArray()),
                                row.getInt("uploads_used"),
                                row.getTimestamp("expires_at").toInstant()),
                            row.getBytes("token_sha256")))
                .findOne());
  }
}
