import { describe, expect, it } from 'vitest';
import { addChange } from '../update/result.ts';
import type { UpdateResult } from '../update/result.ts';
import { RemovedTemplateFieldError, TemplateError, renderCommitMessage, templateData } from './template.ts';

function result(): UpdateResult {
  const r: UpdateResult = { fileChanges: new Map() };
  const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'default' };
  const cron = { apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', namespace: 'default' };
  addChange(r, 'apps/podinfo.yaml', deploy, {
    oldValue: 'podinfo:1.0',
    newValue: 'podinfo:1.1',
    setter: 'flux-system:podinfo',
  });
  addChange(r, 'apps/podinfo.yaml', cron, { oldValue: 'backup:1', newValue: 'backup:2', setter: 'flux-system:backup' });
  return r;
}

const data = templateData({ namespace: 'flux-system', name: 'podinfo' }, result(), { env: 'eks' });

describe('renderCommitMessage', () => {
  it('renders the default message', () => {
    expect(renderCommitMessage(undefined, data)).toBe('Update from image update automation');
  });

  it('renders Flux documentation template over .AutomationObject, .Changed and .Values', () => {
    const tmpl = `Automated image update ({{ .Values.env }})

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind | lower }} {{ $resource.Name }}
  Changes:
  {{- range $_, $change := $changes }}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
  {{- end }}
{{ end -}}
{{ range .Changed.Changes }}{{ .Setter }} {{ end }}`;
    expect(renderCommitMessage(tmpl, data)).toBe(`Automated image update (eks)

Automation name: flux-system/podinfo

Files:
- apps/podinfo.yaml
Objects:
- cronjob backup
  Changes:
    - backup:1 -> backup:2
- deployment podinfo
  Changes:
    - podinfo:1.0 -> podinfo:1.1
flux-system:podinfo flux-system:backup `);
  });

  it('refuses the removed .Updated field with upstream message', () => {
    const err = (() => {
      try {
        return renderCommitMessage('{{ range .Updated.Images }}{{ . }}{{ end }}', data);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RemovedTemplateFieldError);
    expect((err as Error).message).toBe(
      "template uses removed '.Updated' field. Please use '.Changed' instead. See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template",
    );
  });

  it('reports parse and execution errors with the upstream prefixes', () => {
    expect(() => renderCommitMessage('{{ .Values.x', data)).toThrow(TemplateError);
    expect(() => renderCommitMessage('{{ .Values.x', data)).toThrow(
      /^unable to create commit message template from spec: /,
    );
    expect(() => renderCommitMessage('{{ fail "boom" }}', data)).toThrow(/^failed to run template from spec: .*boom/);
    expect(() => renderCommitMessage('{{ now }}', data)).toThrow(/function "now" not defined/);
  });
});
