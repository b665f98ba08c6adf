package dev.attachments.postgres;

import dev.attachments.metadata.AttachmentStatuses;
import dev.attachments.publish.MetadataActivities;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.TaskQueues;
import io.temporal.spring.boot.ActivityImpl;

/** Publishes each step of an attachment's processing to the PostgreSQL metadata store. */
@ActivityImpl(taskQueues = TaskQueues.MAIN_PLACEHOLDER)
public class MetadataPublisher implements MetadataActivities {
  private final AttachmentStatuses repository;

  public MetadataPublisher(AttachmentStatuses repository) {
    this.repository = repository;
  }

  @Override
  public void publish(AttachmentState state) {
    repository.publish(state);
  }
}
