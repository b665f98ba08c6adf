package dev.attachments.metadata;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.mapper.RowMapper;

/** Webhook endpoints, the events published to them, and every delivery attempt, in PostgreSQL. */
public class WebhookRepository {
  private static final String DELIVERIES =
      "select d.*, e.type from webhook_delivery d join webhook_event e on e.id = d.event_id"
          + " where d.endpoint_id = :endpointId";

  private final Store store;

  public WebhookRepository(DataSource dataSource) {
    this.store = new Store(dataSource);
  }

  /**
   * An owner's endpoint. The secret signs every delivery; it is shown to the owner once, at
   * creation.
   */
  public record Endpoint(
      UUID id, String owner, String url, List<String> events, String secret, Instant createdAt) {}

  /** One event: its body is the JSON sent, the same at every attempt. */
  public record Event(
      UUID id, String owner, UUID attachmentId, String type, Instant occurredAt, String body) {}

  /** One delivery attempt: the receiver's status code, or the error that stopped it. */
  public record Delivery(
      UUID id,
      UUID eventId,
      String eventType,
      UUID endpointId,
      int attempt,
      Integer statusCode,
      String error,
      Instant at) {}

  public Endpoint createEndpoint(Endpoint endpoint) {
    store.read(
        "webhook store: could not create endpoint " + endpoint.id(),
        handle ->
            handle
                .createUpdate(
                    "insert into webhook_endpoint (id, owner, url, events, secret, created_at)"
                        + " values (:id, :owner, :url, :events, :secret, :createdAt)")
                .bind("id", endpoint.id())
                .bind("owner", endpoint.owner())
                .bind("url", endpoint.url())
                .bind("events", endpoint.events().toArray(String[]::new))
                .bind("secret", endpoint.secret())
                .bind("createdAt", Store.timestamp(endpoint.createdAt()))
                .execute());
    return endpoint;
  }

  public List<Endpoint> endpoints(String owner) {
    return store.read(
        "webhook store: could not list endpoints",
        handle ->
            handle
                .createQuery(
                    "select * from webhook_endpoint where owner = :owner and deleted_at is null"
                        + " order by created_at")
                .bind("owner", owner)
                .map(ENDPOINT)
                .list());
  }

  public Optional<Endpoint> endpoint(String owner, UUID id) {
    return store.read(
        "webhook store: could not read endpoint " + id,
        handle ->
            handle
                .createQuery(
                    "select * from webhook_endpoint where owner = :owner and id = :id"
                        + " and deleted_at is null")
                .bind("owner", owner)
                .bind("id", id)
                .map(ENDPOINT)
                .findOne());
  }

  /** The owner's endpoints that want events of this type. */
  public List<Endpoint> subscribers(String owner, String type) {
    return store.read(
        "webhook store: could not list subscribers",
        handle ->
            handle
                .createQuery(
                    "select * from webhook_endpoint where owner = :owner and deleted_at is null"
                        + " and :type = any(events) order by created_at")
                .bind("owner", owner)
                .bind("type", type)
                .map(ENDPOINT)
                .list());
  }

  /** Deletes the endpoint; its past deliveries stay readable by id, and nothing waits for it. */
  public boolean deleteEndpoint(String owner, UUID id) {
    return store.inTransaction(
        "webhook store: could not delete endpoint " + id,
        handle -> {
          boolean deleted =
              handle
                      .createUpdate(
                          "update webhook_endpoint set deleted_at = now()"
                              + " where owner = :owner and id = :id and deleted_at is null")
                      .bind("owner", owner)
                      .bind("id", id)
                      .execute()
                  == 1;
          if (deleted) {
            handle
                .createUpdate("delete from webhook_pending where endpoint_id = :id")
                .bind("id", id)
                .execute();
          }
          return deleted;
        });
  }

  /**
   * Marks the event as waiting for each of these endpoints until {@link #settle}; a retried call
   * changes nothing.
   */
  public void awaitDelivery(UUID eventId, List<UUID> endpointIds, Instant since) {
    store.read(
        "webhook store: could not mark event " + eventId + " as waiting",
        handle -> {
          var insert =
              handle.prepareBatch(
                  "insert into webhook_pending (event_id, endpoint_id, since)"
                      + " values (:eventId, :endpointId, :since) on conflict do nothing");
          endpointIds.forEach(
              endpointId ->
                  insert
                      .bind("eventId", eventId)
                      .bind("endpointId", endpointId)
                      .bind("since", Store.timestamp(since))
                      .add());
          return endpointIds.isEmpty() ? null : insert.execute();
        });
  }

  /** The endpoint took the event or refused it for good: it waits no more. */
  public void settle(UUID eventId, UUID endpointId) {
    store.read(
        "webhook store: could not settle event " + eventId,
        handle ->
            handle
                .createUpdate(
                    "delete from webhook_pending where event_id = :eventId"
                        + " and endpoint_id = :endpointId")
                .bind("eventId", eventId)
                .bind("endpointId", endpointId)
                .execute());
  }

  /** Records the event once; a retried or replayed call answers the first record. */
  public Event recordEvent(Event event) {
    store.read(
        "webhook store: could not record event " + event.id(),
        handle ->
            handle
                .createUpdate(
                    "insert into webhook_event (id, owner, attachment_id, type, occurred_at, body)"
                        + " values (:id, :owner, :attachmentId, :type, :occurredAt, :body)"
                        + " on conflict (id) do nothing")
                .bind("id", event.id())
                .bind("owner", event.owner())
                .bind("attachmentId", event.attachmentId())
                .bind("type", event.type())
                .bind("occurredAt", Store.timestamp(event.occurredAt()))
                .bind("body", event.body())
                .execute());
    return event(event.id()).orElseThrow();
  }

  public Optional<Event> event(UUID id) {
    return store.read(
        "webhook store: could not read event " + id,
        handle ->
            handle
                .createQuery("select * from webhook_event where id = :id")
                .bind("id", id)
                .map(
                    (row, context) ->
                        new Event(
                            row.getObject("id", UUID.class),
                            row.getString("owner"),
                            row.getObject("attachment_id", UUID.class),
                            row.getString("type"),
                            row.getTimestamp("occurred_at").toInstant(),
                            row.getString("body")))
                .findOne());
  }

  public void recordDelivery(Delivery delivery) {
    store.read(
        "webhook store: could not record delivery " + delivery.id(),
        handle ->
            handle
                .createUpdate(
                    "insert into webhook_delivery (id, event_id, endpoint_id, attempt, status_code,"
                        + " error, at) values (:id, :eventId, :endpointId, :attempt, :statusCode,"
                        + " :error, :at) on conflict (id) do nothing")
                .bind("id", delivery.id())
                .bind("eventId", delivery.eventId())
                .bind("endpointId", delivery.endpointId())
                .bind("attempt", delivery.attempt())
                .bind("statusCode", delivery.statusCode())
                .bind("error", delivery.error())
                .bind("at", Store.timestamp(delivery.at()))
                .execute());
  }

  /** The endpoint's delivery attempts, newest first. */
  public List<Delivery> deliveries(UUID endpointId, int limit) {
    return store.read(
        "webhook store: could not list deliveries",
        handle ->
            handle
                .createQuery(DELIVERIES + " order by d.at desc, d.attempt desc limit :limit")
                .bind("endpointId", endpointId)
                .bind("limit", limit)
                .map(DELIVERY)
                .list());
  }

  /** One of the endpoint's delivery attempts. */
  public Optional<Delivery> delivery(UUID endpointId, UUID deliveryId) {
    return store.read(
        "webhook store: could not read delivery " + deliveryId,
        handle ->
            handle
                .createQuery(DELIVERIES + " and d.id = :deliveryId")
                .bind("endpointId", endpointId)
                .bind("deliveryId", deliveryId)
                .map(DELIVERY)
                .findOne());
  }

  private static final RowMapper<Delivery> DELIVERY =
      (row, context) ->
          new Delivery(
              row.getObject("id", UUID.class),
              row.getObject("event_id", UUID.class),
              row.getString("type"),
              row.getObject("endpoint_id", UUID.class),
              row.getInt("attempt"),
              (Integer) row.getObject("status_code"),
              row.getString("error"),
              row.getTimestamp("at").toInstant());

  private static final RowMapper<Endpoint> ENDPOINT = (row, context) -> endpoint(row);

  private static Endpoint endpoint(ResultSet row) throws SQLException {
    return new Endpoint(
        row.getObject("id", UUID.class),
        row.getString("owner"),
        row.getString("url"),
        List.of((String[]) row.getArray("events").getArray()),
        row.getString("secret"),
        row.getTimestamp("created_at").toInstant());
  }
}
