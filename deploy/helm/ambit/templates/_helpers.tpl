{{- define "ambit.labels" -}}
app.kubernetes.io/part-of: ambit
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ambit.tag" -}}
{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
