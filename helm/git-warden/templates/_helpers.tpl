{{/*
Chart name, truncated to the 63 characters a DNS label allows.
*/}}
{{- define "git-warden.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: release-chart unless the release name already contains the chart name.
*/}}
{{- define "git-warden.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "git-warden.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "git-warden.labels" -}}
helm.sh/chart: {{ include "git-warden.chart" . }}
{{ include "git-warden.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "git-warden.selectorLabels" -}}
app.kubernetes.io/name: {{ include "git-warden.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "git-warden.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "git-warden.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret the pod reads credentials from: the operator's existingSecret, or the one this chart creates.
*/}}
{{- define "git-warden.secretName" -}}
{{- default (include "git-warden.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "git-warden.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Grace period: preStop sleep + the app's graceful-shutdown phase timeout + a margin, so that Kubernetes
never SIGKILLs a pod that is still finishing in-flight clones and pushes.
*/}}
{{- define "git-warden.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopSleepSeconds .Values.shutdown.timeoutSeconds .Values.shutdown.marginSeconds }}
{{- end }}

{{/*
Where the audit trail goes: the container's stdout (collected by the cluster's log pipeline) or a file.
*/}}
{{- define "git-warden.auditFile" -}}
{{- if .Values.audit.stdout }}/dev/stdout{{ else }}{{ .Values.audit.file }}{{ end }}
{{- end }}

{{/*
Secret keys (named after the environment variables they feed) and the chart values that fill them.
*/}}
{{- define "git-warden.secretValues" -}}
WARDEN_UPSTREAM_TOKEN: {{ .Values.secrets.upstreamToken | quote }}
WARDEN_UPSTREAM_GITHUBAPP_PRIVATEKEY: {{ .Values.secrets.githubAppPrivateKey | quote }}
WARDEN_AUTH_HMACSECRET: {{ .Values.secrets.hmacSecret | quote }}
WARDEN_AUTH_PUBLICKEY: {{ .Values.secrets.publicKey | quote }}
WARDEN_ISSUER_PRIVATEKEY: {{ .Values.secrets.issuerPrivateKey | quote }}
WARDEN_ADMIN_TOKEN: {{ .Values.secrets.adminToken | quote }}
{{- end }}

{{/*
The volume the repository mirrors live on (mounted at /mirrors).
*/}}
{{- define "git-warden.mirrorVolume" -}}
{{- $volume := .Values.mirror.volume }}
{{- if eq $volume.type "emptyDir" -}}
emptyDir:
  sizeLimit: {{ $volume.size }}
{{- else if eq $volume.type "ephemeral" -}}
ephemeral:
  volumeClaimTemplate:
    metadata:
      labels:
        {{- include "git-warden.selectorLabels" . | nindent 8 }}
    spec:
      accessModes: ["ReadWriteOnce"]
      {{- with $volume.storageClassName }}
      storageClassName: {{ . }}
      {{- end }}
      resources:
        requests:
          storage: {{ $volume.size }}
{{- else -}}
persistentVolumeClaim:
  claimName: {{ include "git-warden.mirrorClaimName" . }}
{{- end }}
{{- end }}

{{- define "git-warden.mirrorClaimName" -}}
{{- default (printf "%s-mirrors" (include "git-warden.fullname" .)) .Values.mirror.volume.existingClaim }}
{{- end }}

{{/*
A PersistentVolumeClaim holds the mirrors of one pod only: two processes must never share a mirror directory
(each evicts and repacks on its own).
*/}}
{{- define "git-warden.validateMirrorVolume" -}}
{{- if and (eq .Values.mirror.volume.type "persistentVolumeClaim") (or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1)) }}
{{- fail "mirror.volume.type=persistentVolumeClaim needs replicaCount 1 and no autoscaling: replicas must not share a mirror directory; use mirror.volume.type=ephemeral for a claim per pod" }}
{{- end }}
{{- end }}
