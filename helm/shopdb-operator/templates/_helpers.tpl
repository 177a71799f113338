{{- define "shopdb.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "shopdb.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "shopdb.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "shopdb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "shopdb.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
What the operator does in a namespace it watches. Least privilege: exactly docs/api-calls.txt
(ChartRbacTest compares the two), no wildcards. Leases are separate: only in the release namespace.
*/}}
{{- define "shopdb.rules" -}}
- apiGroups: ["shopdb.io"]
  resources: [postgresclusters, postgresdatabases, postgresroles, postgresmigrations, postgresbackups, postgresbackupschedules, postgresrestores, postgrespoolers, postgresmajorupgrades, postgresimagecatalogs]
  verbs: [get, list, watch, patch, update]
- apiGroups: ["shopdb.io"]
  # schedules create runs and delete expired ones; migrations create their pre-migration backups and
  # (checkBudgets: OnCopy) the restore of the copy they check budgets on; schedules create and delete the
  # scratch cluster of a point-in-time drill
  resources: [postgresbackups, postgresclusters, postgresrestores]
  verbs: [create, delete]
- apiGroups: ["shopdb.io"]
  resources: [postgresclusters/status, postgresdatabases/status, postgresroles/status, postgresmigrations/status, postgresbackups/status, postgresbackupschedules/status, postgresrestores/status, postgrespoolers/status, postgresmajorupgrades/status, postgresimagecatalogs/status]
  verbs: [get, patch, update]
- apiGroups: ["shopdb.io"]
  resources: [postgresclusters/finalizers, postgresdatabases/finalizers, postgresroles/finalizers, postgresmigrations/finalizers, postgresbackups/finalizers, postgresbackupschedules/finalizers, postgresrestores/finalizers, postgrespoolers/finalizers]
  verbs: [update]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, create, update]
- apiGroups: [apps]
  # PgBouncer of the poolers
  resources: [deployments]
  verbs: [get, list, watch, create, update]
- apiGroups: [""]
  resources: [services]
  verbs: [get, list, watch, create, update]
- apiGroups: [""]
  # patch: the label shopdb.io/referenced on a migration's ConfigMaps and a resource's Secrets, so the
  # label-selected informers cache them (kube/CachedObjects); list/watch see only labelled ones
  resources: [configmaps]
  verbs: [get, list, watch, create, update, patch]
- apiGroups: [""]
  resources: [secrets]
  # delete: an import Job's login Secret (<job>-login), removed when the attempt ends (database/ImportLogins)
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, create, update, delete]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, create, update, delete]
- apiGroups: [""]
  resources: [persistentvolumeclaims]
  verbs: [get, update]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, patch, delete]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, delete]
{{- end -}}

{{/* The operator image: repository and tag, the tag defaulting to the chart's appVersion (never latest). */}}
{{- define "shopdb.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
