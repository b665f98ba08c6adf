{{- define "attachments.labels" -}}
app.kubernetes.io/name: attachments
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "attachments.selector" -}}
app.kubernetes.io/name: attachments
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Temporal's connection, the same for both apps (TLS, API key, client certificate). */}}
{{- define "attachments.temporalEnv" -}}
- name: ATTACHMENTS_TEMPORAL_TARGET
  value: {{ .Values.temporal.target | quote }}
- name: ATTACHMENTS_TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: ATTACHMENTS_TEMPORAL_TLS
  value: {{ .Values.temporal.tls | quote }}
{{- if .Values.temporal.apiKey }}
- name: ATTACHMENTS_TEMPORAL_API_KEY_FILE
  value: /run/secrets/attachments/temporal-api-key
{{- end }}
{{- if .Values.temporal.clientCertSecret }}
- name: ATTACHMENTS_TEMPORAL_TLS_CERT
  value: /run/secrets/temporal-client/tls.crt
- name: ATTACHMENTS_TEMPORAL_TLS_KEY
  value: /run/secrets/temporal-client/tls.key
{{- end }}
{{- end -}}

{{/* Every pod: the runtime's default seccomp filter. */}}
{{- define "attachments.podSecurity" -}}
securityContext:
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* What every app container runs with: non-root, nothing to escalate, a read-only root. */}}
{{- define "attachments.containerSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{- define "attachments.probes" -}}
startupProbe:
  httpGet: {path: /health/liveness, port: {{ .port }}}
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet: {path: /health/liveness, port: {{ .port }}}
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /health/readiness, port: {{ .port }}}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}

{{/* Only the secret files this component needs (root: the chart's root, files: the Secret's keys). */}}
{{- define "attachments.secretVolumes" -}}
{{- $files := .files -}}
{{- if .root.Values.temporal.apiKey }}{{ $files = append $files "temporal-api-key" }}{{ end -}}
- name: secrets
  secret:
    secretName: {{ .root.Values.existingSecret }}
    defaultMode: 0400
    items:
      {{- range $files }}
      - {key: {{ . }}, path: {{ . }}}
      {{- end }}
{{- if .root.Values.temporal.clientCertSecret }}
- name: temporal-client
  secret:
    secretName: {{ .root.Values.temporal.clientCertSecret }}
    defaultMode: 0400
{{- end }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "attachments.secretMounts" -}}
- name: secrets
  mountPath: /run/secrets/attachments
  readOnly: true
{{- if .Values.temporal.clientCertSecret }}
- name: temporal-client
  mountPath: /run/secrets/temporal-client
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}
