package dev.attachments.e2e;

import com.google.protobuf.Timestamp;
import io.temporal.api.history.v1.HistoryEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a workflow's time went, from its history: waiting in a task queue for a worker to take a
 * workflow task or an activity, and running them (a workflow task's run includes the local
 * activities it ran). Summed per workflow; {@link #report} prints the medians over many.
 */
record HistoryPhases(
    double workflowTaskQueued,
    double workflowTaskRunning,
    double activityQueued,
    double activityRunning,
    Map<String, double[]> byActivity) {

  static HistoryPhases of(List<HistoryEvent> history) {
    Map<Long, Timestamp> scheduled = new HashMap<>();
    Map<Long, Timestamp> started = new HashMap<>();
    double[] sums = new double[4];
    Map<Long, String> types = new HashMap<>();
    Map<String, double[]> byActivity = new TreeMap<>();
    for (HistoryEvent event : history) {
      if (event.hasWorkflowTaskScheduledEventAttributes()) {
        scheduled.put(event.getEventId(), event.getEventTime());
      } else if (event.hasActivityTaskScheduledEventAttributes()) {
        scheduled.put(event.getEventId(), event.getEventTime());
        types.put(
            event.getEventId(),
            event.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (event.hasWorkflowTaskStartedEventAttributes()) {
        started.put(event.getEventId(), event.getEventTime());
        sums[0] +=
            seconds(
                scheduled.get(event.getWorkflowTaskStartedEventAttributes().getScheduledEventId()),
                event.getEventTime());
      } else if (event.hasWorkflowTaskCompletedEventAttributes()) {
        sums[1] +=
            seconds(
                started.get(event.getWorkflowTaskCompletedEventAttributes().getStartedEventId()),
                event.getEventTime());
      } else if (event.hasActivityTaskStartedEventAttributes()) {
        started.put(event.getEventId(), event.getEventTime());
        long scheduledId = event.getActivityTaskStartedEventAttributes().getScheduledEventId();
        double queued = seconds(scheduled.get(scheduledId), event.getEventTime());
        sums[2] += queued;
        byActivity
                .computeIfAbsent(types.getOrDefault(scheduledId, "?"), type -> new double[2])[0] +=
            queued;
      } else if (event.hasActivityTaskCompletedEventAttributes()) {
        long startedId = event.getActivityTaskCompletedEventAttributes().getStartedEventId();
        double running = seconds(started.get(startedId), event.getEventTime());
        sums[3] += running;
        String type =
            types.getOrDefault(
                event.getActivityTaskCompletedEventAttributes().getScheduledEventId(), "?");
        byActivity.computeIfAbsent(type, name -> new double[2])[1] += running;
      }
    }
    return new HistoryPhases(sums[0], sums[1], sums[2], sums[3], byActivity);
  }

  /** One line per event: seconds since the first, its type, and the activity or marker named. */
  static String timeline(List<HistoryEvent> history) {
    StringBuilder lines = new StringBuilder();
    Timestamp first = history.get(0).getEventTime();
    for (HistoryEvent event : history) {
      String name = "";
      if (event.hasActivityTaskScheduledEventAttributes()) {
        name = event.getActivityTaskScheduledEventAttributes().getActivityType().getName();
      } else if (event.hasMarkerRecordedEventAttributes()) {
        name = event.getMarkerRecordedEventAttributes().getMarkerName();
      } else if (event.hasActivityTaskStartedEventAttributes()) {
        name = "attempt " + event.getActivityTaskStartedEventAttributes().getAttempt();
      } else if (event.hasWorkflowTaskStartedEventAttributes()) {
        name = event.getWorkflowTaskStartedEventAttributes().getIdentity();
      }
      lines.append(
          String.format(
              "  %8.3f %s %s%n",
              seconds(first, event.getEventTime()), event.getEventType().name(), name));
    }
    return lines.toString();
  }

  /** The median of each phase over the workflows, on one line. */
  static String report(List<HistoryPhases> phases) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                "per attachment (median): workflow tasks queued %.3f s, running (local activities"
                    + " included) %.3f s; activities queued %.3f s, running %.3f s",
                median(phases, HistoryPhases::workflowTaskQueued),
                median(phases, HistoryPhases::workflowTaskRunning),
                median(phases, HistoryPhases::activityQueued),
                median(phases, HistoryPhases::activityRunning)));
    Set<String> types = new TreeSet<>();
    phases.forEach(one -> types.addAll(one.byActivity().keySet()));
    for (String type : types) {
      List<HistoryPhases> ran =
          phases.stream().filter(one -> one.byActivity().containsKey(type)).toList();
      line.append(
          String.format(
              "; %s queued %.3f s, running %.3f s",
              type,
              median(ran, one -> one.byActivity().get(type)[0]),
              median(ran, one -> one.byActivity().get(type)[1])));
    }
    return line.toString();
  }

  private static double median(
      List<HistoryPhases> phases, java.util.function.ToDoubleFunction<HistoryPhases> phase) {
    List<Double> values = new ArrayList<>();
    phases.forEach(one -> values.add(phase.applyAsDouble(one)));
    Collections.sort(values);
    return values.isEmpty() ? Double.NaN : values.get(values.size() / 2);
  }

  private static double seconds(Timestamp from, Timestamp to) {
    if (from == null) {
      return 0;
    }
    return (to.getSeconds() - from.getSeconds()) + (to.getNanos() - from.getNanos()) / 1e9;
  }
}
