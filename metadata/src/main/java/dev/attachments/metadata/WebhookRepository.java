package dev.attachments.metadata;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Webhook endpoints, the events published to them, and every delivery attempt, in PostgreSQL. */
public class WebhookRepository {
  private final DataSource dataSource;

  public WebhookRepository(DataSource dataSource) {
    this.dataSource = dataSource;
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
    sql(
        "insert into webhook_endpoint (id, owner, url, events, secret, created_at) values (?, ?, ?, ?, ?, ?)",
        (c, s) -> {
          s.setObject(1, endpoint.id());
          s.setString(2, endpoint.owner());
          s.setString(3, endpoint.url());
          s.setArray(4, c.createArrayOf("text", endpoint.events().toArray()));
          s.setString(5, endpoint.secret());
          s.setTimestamp(6, Timestamp.from(endpoint.createdAt()));
          return s.executeUpdate();
        });
    return endpoint;
  }

  public List<Endpoint> endpoints(String owner) {
    return sql(
        "select * from webhook_endpoint where owner = ? and deleted_at is null order by created_at",
        (c, s) -> {
          s.setString(1, owner);
          return endpointsOf(s);
        });
  }

  public Optional<Endpoint> endpoint(String owner, UUID id) {
    return sql(
        "select * from webhook_endpoint where owner = ? and id = ? and deleted_at is null",
        (c, s) -> {
          s.setString(1, owner);
          s.setObject(2, id);
          return endpointsOf(s).stream().findFirst();
        });
  }

  /** The owner's endpoints that want events of this type. */
  public List<Endpoint> subscribers(String owner, String type) {
    return sql(
        "select * from webhook_endpoint where owner = ? and deleted_at is null and ? = any(events) order by created_at",
        (c, s) -> {
          s.setString(1, owner);
          s.setString(2, type);
          return endpointsOf(s);
        });
  }

  /** Deletes the endpoint; its past deliveries stay readable by id. */
  public boolean deleteEndpoint(String owner, UUID id) {
    return sql(
        "update webhook_endpoint set deleted_at = now() where owner = ? and id = ? and deleted_at is null",
        (c, s) -> {
          s.setString(1, owner);
          s.setObject(2, id);
          return s.executeUpdate() == 1;
        });
  }

  /** Records the event once; a retried or replayed call answers the first record. */
  public Event recordEvent(Event event) {
    sql(
        "insert into webhook_event (id, owner, attachment_id, type, occurred_at, body) values (?, ?, ?, ?, ?, ?)"
            + " on conflict (id) do nothing",
        (c, s) -> {
          s.setObject(1, event.id());
          s.setString(2, event.owner());
          s.setObject(3, event.attachmentId());
          s.setString(4, event.type());
          s.setTimestamp(5, Timestamp.from(event.occurredAt()));
          s.setString(6, event.body());
          return s.executeUpdate();
        });
    return event(event.id()).orElseThrow();
  }

  public Optional<Event> event(UUID id) {
    return sql(
        "select * from webhook_event where id = ?",
        (c, s) -> {
          s.setObject(1, id);
          try (ResultSet row = s.executeQuery()) {
            return row.next()
                ? Optional.of(
                    new Event(
                        row.getObject("id", UUID.class),
                        row.getString("owner"),
                        row.getObject("attachment_id", UUID.class),
                        row.getString("type"),
                        row.getTimestamp("occurred_at").toInstant(),
                        row.getString("body")))
                : Optional.empty();
          }
        });
  }

  public void recordDelivery(Delivery delivery) {
    sql(
        "insert into webhook_delivery (id, event_id, endpoint_id, attempt, status_code, error, at)"
            + " values (?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing",
        (c, s) -> {
          s.setObject(1, delivery.id());
          s.setObject(2, delivery.eventId());
          s.setObject(3, delivery.endpointId());
          s.setInt(4, delivery.attempt());
          s.setObject(5, delivery.statusCode(), java.sql.Types.INTEGER);
          s.setString(6, delivery.error());
          s.setTimestamp(7, Timestamp.from(delivery.at()));
          return s.executeUpdate();
        });
  }

  private static final String DELIVERIES =
      "select d.*, e.type from webhook_delivery d join webhook_event e on e.id = d.event_id where d.endpoint_id = ?";

  /** The endpoint's delivery attempts, newest first. */
  public List<Delivery> deliveries(UUID endpointId, int limit) {
    return sql(
        DELIVERIES + " order by d.at desc, d.attempt desc limit ?",
        (c, s) -> {
          s.setObject(1, endpointId);
          s.setInt(2, limit);
          return deliveriesOf(s);
        });
  }

  /** One of the endpoint's delivery attempts. */
  public Optional<Delivery> delivery(UUID endpointId, UUID deliveryId) {
    return sql(
        DELIVERIES + " and d.id = ?",
        (c, s) -> {
          s.setObject(1, endpointId);
          s.setObject(2, deliveryId);
          return deliveriesOf(s).stream().findFirst();
        });
  }

  private static List<Delivery> deliveriesOf(PreparedStatement select) throws SQLException {
    List<Delivery> found = new ArrayList<>();
    try (ResultSet row = select.executeQuery()) {
      while (row.next()) {
        found.add(
            new Delivery(
                row.getObject("id", UUID.class),
                row.getObject("event_id", UUID.class),
                row.getString("type"),
                row.getObject("endpoint_id", UUID.class),
                row.getInt("attempt"),
                (Integer) row.getObject("status_code"),
                row.getString("error"),
                row.getTimestamp("at").toInstant()));
      }
    }
    return found;
  }

  private static List<Endpoint> endpointsOf(PreparedStatement select) throws SQLException {
    List<Endpoint> found = new ArrayList<>();
    try (ResultSet row = select.executeQuery()) {
      while (row.next()) {
        Array events = row.getArray("events");
        found.add(
            new Endpoint(
                row.getObject("id", UUID.class),
                row.getString("owner"),
                row.getString("url"),
                List.of((String[]) events.getArray()),
                row.getString("secret"),
                row.getTimestamp("created_at").toInstant()));
      }
    }
    return found;
  }

  private interface Statement<T> {
    T run(Connection connection, PreparedStatement statement) throws SQLException;
  }

  private <T> T sql(String sql, Statement<T> body) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      return body.run(connection, statement);
    } catch (SQLException e) {
      throw new MetadataStoreException("webhook store: " + e.getMessage(), e);
    }
  }
}
