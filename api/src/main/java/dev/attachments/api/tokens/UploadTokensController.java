package dev.attachments.api.tokens;

import dev.attachments.api.Problem;
import dev.attachments.api.auth.ApiKeyFilter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Upload tokens, minted by an owner's backend for the browsers and phones of its users. */
@Controller("/v1/upload-tokens")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "upload tokens")
@ApiResponse(
    responseCode = "4XX",
    description = "A client mistake, said in an RFC 9457 problem",
    content =
        @Content(
            mediaType = Problem.CONTENT_TYPE,
            schema = @Schema(implementation = Problem.class)))
public class UploadTokensController {
  private final MintUploadToken mint;

  public UploadTokensController(MintUploadToken mint) {
    this.mint = mint;
  }

  @Post
  @Operation(
      operationId = "createUploadToken",
      summary = "Mint an upload token",
      description =
          "With the owner's API key (403 with an upload token). The token is a Bearer credential"
              + " a browser or phone may hold: it creates at most maxUploads attachments within"
              + " maxSize and types, and follows only those (parts, fresh URLs, complete, status)"
              + " until it expires.")
  @ApiResponse(
      responseCode = "201",
      description = "The token, shown only now",
      content = @Content(schema = @Schema(implementation = UploadTokenViews.MintedToken.class)))
  public HttpResponse<UploadTokenViews.MintedToken> create(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @Body @Nullable UploadTokenViews.NewUploadToken body) {
    return HttpResponse.<UploadTokenViews.MintedToken>status(HttpStatus.CREATED)
        .body(mint.mint(owner, body));
  }
}
