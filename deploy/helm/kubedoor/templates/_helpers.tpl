{{/* Names are fixed, not release-derived: the backend's RBAC and health check name the
webhook configuration "kubedoor-webhook", so there is one installation per cluster. */}}
{{- define "kubedoor.name" -}}kubedoor-webhook{{- end }}
{{- define "kubedoor.secretName" -}}kubedoor-webhook-tls{{- end }}

{{/* Selector labels never change across upgrades (a Deployment's selector is immutable). */}}
{{- define "kubedoor.selectorLabels" -}}
app.kubernetes.io/name: kubedoor-webhook
app.kubernetes.io/part-of: kubedoor
{{- end }}

{{- define "kubedoor.labels" -}}
{{ include "kubedoor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* The webhook never runs where it would have to exclude itself from core components. */}}
{{- define "kubedoor.checkNamespace" -}}
{{- if eq .Release.Namespace "kube-system" }}
{{- fail "namespace kube-system: the webhook never runs where it would have to exclude itself from core components" }}
{{- end }}
{{- end }}
