package dev.attachments.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP trace receiver for tests: takes what the apps' exporters POST to /v1/traces
 * (protobuf ExportTraceServiceRequest) and keeps each span's service, ids and name. Read with
 * protobuf's own wire parser, by the field numbers of opentelemetry-proto's trace.proto.
 */
final class OtlpReceiver implements AutoCloseable {
  record Span(String service, String traceId, String spanId, String parentId, String name) {}

  private final HttpServer server;
  private final List<Span> spans = new CopyOnWriteArrayList<>();

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try {
            read(UnknownFieldSet.parseFrom(exchange.getRequestBody().readAllBytes()));
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, 0);
          } catch (IOException | RuntimeException e) {
            exchange.sendResponseHeaders(400, -1);
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Span> spans() {
    return List.copyOf(spans);
  }

  private void read(UnknownFieldSet request) throws IOException {
    for (ByteString resourceSpans : bytes(request, 1)) {
      UnknownFieldSet resource = UnknownFieldSet.parseFrom(resourceSpans);
      String service = "";
      for (ByteString res : bytes(resource, 1)) {
        for (ByteString attribute : bytes(UnknownFieldSet.parseFrom(res), 1)) {
          UnknownFieldSet keyValue = UnknownFieldSet.parseFrom(attribute);
          if (string(keyValue, 1).equals("service.name")) {
            service = string(UnknownFieldSet.parseFrom(bytes(keyValue, 2).get(0)), 1);
          }
        }
      }
      for (ByteString scopeSpans : bytes(resource, 2)) {
        for (ByteString spanBytes : bytes(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
          UnknownFieldSet span = UnknownFieldSet.parseFrom(spanBytes);
          spans.add(new Span(service, hex(span, 1), hex(span, 2), hex(span, 4), string(span, 5)));
        }
      }
    }
  }

  private static List<ByteString> bytes(UnknownFieldSet message, int field) {
    return message.hasField(field) ? message.getField(field).getLengthDelimitedList() : List.of();
  }

  private static String string(UnknownFieldSet message, int field) {
    List<ByteString> values = bytes(message, field);
    return values.isEmpty() ? "" : values.get(0).toStringUtf8();
  }

  private static String hex(UnknownFieldSet message, int field) {
    List<ByteString> values = bytes(message, field);
    return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0).toByteArray());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
