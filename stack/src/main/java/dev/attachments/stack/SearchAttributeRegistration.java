package dev.attachments.stack;

import dev.attachments.workflow.AttachmentSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;

/**
 * Registers the attachments' custom search attributes on a Temporal server; harmless when they
 * exist.
 */
public final class SearchAttributeRegistration {

  public static void register(String target, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(target)
                .validateAndBuildWithDefaults());
    try {
      AddSearchAttributesRequest.Builder request =
          AddSearchAttributesRequest.newBuilder().setNamespace(namespace);
      AttachmentSearchAttributes.ALL.forEach(
          (name, type) ->
              request.putSearchAttributes(
                  name, IndexedValueType.valueOf("INDEXED_VALUE_TYPE_" + type)));
      operator.blockingStub().addSearchAttributes(request.build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    } finally {
      operator.shutdown();
    }
  }

  private SearchAttributeRegistration() {}
}
