package dev.attachments.workflow;

import io.temporal.common.SearchAttributeKey;
import java.util.Map;

/** The custom search attributes that make attachments findable in the Temporal UI. */
public final class AttachmentSearchAttributes {
  public static final SearchAttributeKey<String> STATUS =
      SearchAttributeKey.forKeyword("AttachmentStatus");
  public static final SearchAttributeKey<String> OWNER =
      SearchAttributeKey.forKeyword("AttachmentOwner");
  public static final SearchAttributeKey<String> SCAN_VERDICT =
      SearchAttributeKey.forKeyword("ScanVerdict");
  public static final SearchAttributeKey<String> CONTENT_TYPE =
      SearchAttributeKey.forKeyword("AttachmentContentType");
  public static final SearchAttributeKey<Long> SIZE = SearchAttributeKey.forLong("AttachmentSize");

  /**
   * Name to Temporal's indexed value type name, as {@code OperatorService.addSearchAttributes}
   * wants it.
   */
  public static final Map<String, String> ALL =
      Map.of(
          STATUS.getName(), "KEYWORD",
          OWNER.getName(), "KEYWORD",
          SCAN_VERDICT.getName(), "KEYWORD",
          CONTENT_TYPE.getName(), "KEYWORD",
          SIZE.getName(), "INT");

  private AttachmentSearchAttributes() {}
}
