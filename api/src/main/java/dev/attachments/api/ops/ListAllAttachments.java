package dev.attachments.api.ops;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.api.s3.PresignedUrls;
import dev.attachments.metadata.AttachmentView;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.Page;
import dev.attachments.workflow.AttachmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.util.List;

/** Use case: every owner's attachments, newest first, for operators. */
@Singleton
public class ListAllAttachments {
  static final int DEFAULT_PAGE = 50;
  static final int LARGEST_PAGE = 500;

  private final Attachments repository;
  private final PresignedUrls urls;

  public ListAllAttachments(Attachments repository, PresignedUrls urls) {
    this.repository = repository;
    this.urls = urls;
  }

  /** An attachment in the operators' listing: the owner's view of it, and whose it is. */
  @Serdeable
  public record OpsAttachment(String owner, @JsonUnwrapped AttachmentView attachment) {}

  @Serdeable
  public record OpsListing(List<OpsAttachment> items, @Nullable String nextCursor) {}

  public OpsListing list(String status, Integer limit, String cursor) {
    AttachmentStatus only = Params.statusFilter(status);
    int size = limit == null ? DEFAULT_PAGE : limit;
    if (size < 1 || size > LARGEST_PAGE) {
      throw Refusal.invalid("limit must be from 1 to " + LARGEST_PAGE);
    }
    Page page;
    try {
      page = repository.listAll(only, size, cursor == null || cursor.isBlank() ? null : cursor);
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid(e.getMessage());
    }
    return new OpsListing(
        page.items().stream()
            .map(a -> new OpsAttachment(a.owner(), AttachmentView.of(a, urls::preview)))
            .toList(),
        page.nextCursor());
  }
}
