/**
 * Conversion of built-in kinds served at more than one version with different schemas: autoscaling/v1
 * HorizontalPodAutoscaler beside the storage version autoscaling/v2, as kube-apiserver's
 * pkg/apis/autoscaling/v1/conversion.go (v2-only fields ride in `autoscaling.alpha.kubernetes.io/*` annotations).
 */
import { isObj, type Obj } from './util.ts';

/** Annotation carrying the v2 metrics a v1 object cannot express. */
export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
/** Annotation carrying the v2 `status.currentMetrics`. */
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
/** Annotation carrying the v2 `status.conditions`. */
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
/** Annotation carrying the v2 `spec.behavior`. */
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
/** The CPU target autoscaling/v1 implies when no metric is given. */
export const DEFAULT_CPU_UTILIZATION = 80;

/** The storage version of a built-in kind served at several versions, or undefined (no conversion needed). */
export const storageVersionOf = (group: string, kind: string): string | undefined =>
  group === 'autoscaling' && kind === 'HorizontalPodAutoscaler' ? 'v2' : undefined;

/** True when objects of this group/version/kind are converted to and from a different storage version. */
export const needsConversion = (group: string, version: string, kind: string): boolean => {
  const storage = storageVersionOf(group, kind);
  return storage !== undefined && storage !== version;
};

const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const defined = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const parseAnnotation = (annotations: Obj, key: string): unknown => {
  const text = annotations[key];
  delete annotations[key];
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** v1 (v2beta1-shaped) MetricSpec → v2 MetricSpec. */
const metricSpecToV2 = (m: Obj): Obj => {
  const target = (value: unknown, averageValue: unknown, utilization: unknown): Obj =>
    utilization !== undefined
      ? { type: 'Utilization', averageUtilization: utilization }
      : averageValue !== undefined
        ? { type: 'AverageValue', averageValue }
        : { type: 'Value', value };
  const metric = (name: unknown, selector: unknown): Obj => defined({ name, selector });
  const r = obj(m['resource']);
  const c = obj(m['containerResource']);
  const p = obj(m['pods']);
  const o = obj(m['object']);
  const e = obj(m['external']);
  switch (m['type']) {
    case 'Resource':
      return {
        type: 'Resource',
        resource: {
          name: r['name'],
          target: target(undefined, r['targetAverageValue'], r['targetAverageUtilization']),
        },
      };
    case 'ContainerResource':
      return {
        type: 'ContainerResource',
        containerResource: {
          name: c['name'],
          container: c['container'],
          target: target(undefined, c['targetAverageValue'], c['targetAverageUtilization']),
        },
      };
    case 'Pods':
      return {
        type: 'Pods',
        pods: {
          metric: metric(p['metricName'], p['selector']),
          target: { type: 'AverageValue', averageValue: p['targetAverageValue'] },
        },
      };
    case 'Object':
      return {
        type: 'Object',
        object: {
          describedObject: o['target'],
          metric: metric(o['metricName'], o['selector']),
          target: target(o['targetValue'], o['averageValue'], undefined),
        },
      };
    case 'External':
      return {
        type: 'External',
        external: {
          metric: metric(e['metricName'], e['metricSelector']),
          target: target(e['targetValue'], e['targetAverageValue'], undefined),
        },
      };
    default:
      return m;
  }
};

/** v2 MetricSpec → v1 (v2beta1-shaped) MetricSpec. */
const metricSpecToV1 = (m: Obj): Obj => {
  const pick = (x: Obj): { metric: Obj; target: Obj } => ({ metric: obj(x['metric']), target: obj(x['target']) });
  switch (m['type']) {
    case 'Resource': {
      const r = obj(m['resource']);
      const t = obj(r['target']);
      return {
        type: 'Resource',
        resource: defined({
          name: r['name'],
          targetAverageUtilization: t['averageUtilization'],
          targetAverageValue: t['averageValue'],
        }),
      };
    }
    case 'ContainerResource': {
      const c = obj(m['containerResource']);
      const t = obj(c['target']);
      return {
        type: 'ContainerResource',
        containerResource: defined({
          name: c['name'],
          targetAverageUtilization: t['averageUtilization'],
          targetAverageValue: t['averageValue'],
          container: c['container'],
        }),
      };
    }
    case 'Pods': {
      const { metric, target } = pick(obj(m['pods']));
      return {
        type: 'Pods',
        pods: defined({
          metricName: metric['name'],
          targetAverageValue: target['averageValue'],
          selector: metric['selector'],
        }),
      };
    }
    case 'Object': {
      const o = obj(m['object']);
      const { metric, target } = pick(o);
      return {
        type: 'Object',
        object: defined({
          target: o['describedObject'],
          metricName: metric['name'],
          targetValue: target['value'],
          selector: metric['selector'],
          averageValue: target['averageValue'],
        }),
      };
    }
    case 'External': {
      const { metric, target } = pick(obj(m['external']));
      return {
        type: 'External',
        external: defined({
          metricName: metric['name'],
          metricSelector: metric['selector'],
          targetValue: target['value'],
          targetAverageValue: target['averageValue'],
        }),
      };
    }
    default:
      return m;
  }
};

/** v1 MetricStatus → v2 MetricStatus. */
const metricStatusToV2 = (m: Obj): Obj => {
  const current = (value: unknown, averageValue: unknown, utilization: unknown): Obj =>
    defined({ value, averageValue, averageUtilization: utilization });
  const r = obj(m['resource']);
  const c = obj(m['containerResource']);
  const p = obj(m['pods']);
  const o = obj(m['object']);
  const e = obj(m['external']);
  switch (m['type']) {
    case 'Resource':
      return {
        type: 'Resource',
        resource: {
          name: r['name'],
          current: current(undefined, r['currentAverageValue'], r['currentAverageUtilization']),
        },
      };
    case 'ContainerResource':
      return {
        type: 'ContainerResource',
        containerResource: {
          name: c['name'],
          container: c['container'],
          current: current(undefined, c['currentAverageValue'], c['currentAverageUtilization']),
        },
      };
    case 'Pods':
      return {
        type: 'Pods',
        pods: {
          metric: defined({ name: p['metricName'], selector: p['selector'] }),
          current: { averageValue: p['currentAverageValue'] },
        },
      };
    case 'Object':
      return {
        type: 'Object',
        object: {
          describedObject: o['target'],
          metric: defined({ name: o['metricName'], selector: o['selector'] }),
          current: current(o['currentValue'], o['averageValue'], undefined),
        },
      };
    case 'External':
      return {
        type: 'External',
        external: {
          metric: defined({ name: e['metricName'], selector: e['metricSelector'] }),
          current: current(e['currentValue'], e['currentAverageValue'], undefined),
        },
      };
    default:
      return m;
  }
};

/** v2 MetricStatus → v1 MetricStatus. */
const metricStatusToV1 = (m: Obj): Obj => {
  const inner = (key: string): { x: Obj; metric: Obj; current: Obj } => {
    const x = obj(m[key]);
    return { x, metric: obj(x['metric']), current: obj(x['current']) };
  };
  switch (m['type']) {
    case 'Resource': {
      const { x, current } = inner('resource');
      return {
        type: 'Resource',
        resource: defined({
          name: x['name'],
          currentAverageUtilization: current['averageUtilization'],
          currentAverageValue: current['averageValue'],
        }),
      };
    }
    case 'ContainerResource': {
      const { x, current } = inner('containerResource');
      return {
        type: 'ContainerResource',
        containerResource: defined({
          name: x['name'],
          currentAverageUtilization: current['averageUtilization'],
          currentAverageValue: current['averageValue'],
          container: x['container'],
        }),
      };
    }
    case 'Pods': {
      const { metric, current } = inner('pods');
      return {
        type: 'Pods',
        pods: defined({
          metricName: metric['name'],
          currentAverageValue: current['averageValue'],
          selector: metric['selector'],
        }),
      };
    }
    case 'Object': {
      const { x, metric, current } = inner('object');
      return {
        type: 'Object',
        object: defined({
          target: x['describedObject'],
          metricName: metric['name'],
          currentValue: current['value'],
          selector: metric['selector'],
          averageValue: current['averageValue'],
        }),
      };
    }
    case 'External': {
      const { metric, current } = inner('external');
      return {
        type: 'External',
        external: defined({
          metricName: metric['name'],
          metricSelector: metric['selector'],
          currentValue: current['value'],
          currentAverageValue: current['averageValue'],
        }),
      };
    }
    default:
      return m;
  }
};

const isCpuUtilization = (m: unknown): boolean =>
  isObj(m) &&
  m['type'] === 'Resource' &&
  isObj(m['resource']) &&
  m['resource']['name'] === 'cpu' &&
  obj(m['resource']['target'])['averageUtilization'] !== undefined;

/** Convert an autoscaling/v1 HorizontalPodAutoscaler to autoscaling/v2 in place. */
export const hpaV1ToV2 = (o: Obj): void => {
  o['apiVersion'] = 'autoscaling/v2';
  const m = obj(o['metadata']);
  const annotations = obj(m['annotations']);
  const otherMetrics = parseAnnotation(annotations, METRICS_ANNOTATION);
  const currentMetrics = parseAnnotation(annotations, CURRENT_METRICS_ANNOTATION);
  const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  if (isObj(m['annotations']) && Object.keys(annotations).length === 0) delete m['annotations'];
  const spec = obj(o['spec']);
  o['spec'] = spec;
  const metrics: Obj[] = Array.isArray(spec['metrics']) ? (spec['metrics'] as Obj[]) : [];
  const cpu = spec['targetCPUUtilizationPercentage'];
  delete spec['targetCPUUtilizationPercentage'];
  if (typeof cpu === 'number')
    metrics.unshift({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } },
    });
  if (Array.isArray(otherMetrics)) for (const x of otherMetrics) if (isObj(x)) metrics.push(metricSpecToV2(x));
  // autoscaling/v1 formerly had an implicit CPU default applied in the controller; v2 has it explicitly
  if (metrics.length === 0)
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } },
    });
  spec['metrics'] = metrics;
  if (isObj(behavior)) spec['behavior'] = behavior;
  if (!isObj(o['status'])) return;
  const status = o['status'];
  const currentCpu = status['currentCPUUtilizationPercentage'];
  delete status['currentCPUUtilizationPercentage'];
  if (Array.isArray(currentMetrics)) status['currentMetrics'] = currentMetrics.filter(isObj).map(metricStatusToV2);
  else if (typeof currentCpu === 'number')
    status['currentMetrics'] = [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCpu } } },
    ];
  if (Array.isArray(conditions)) status['conditions'] = conditions;
};

/** Convert an autoscaling/v2 HorizontalPodAutoscaler to autoscaling/v1 in place. */
export const hpaV2ToV1 = (o: Obj): void => {
  o['apiVersion'] = 'autoscaling/v1';
  const spec = obj(o['spec']);
  const status = isObj(o['status']) ? o['status'] : undefined;
  const metrics = Array.isArray(spec['metrics']) ? spec['metrics'] : [];
  const add: Obj = {};
  const others = metrics.filter((x) => !isCpuUtilization(x)).filter(isObj);
  if (others.length > 0) add[METRICS_ANNOTATION] = JSON.stringify(others.map(metricSpecToV1));
  const current = status && Array.isArray(status['currentMetrics']) ? status['currentMetrics'].filter(isObj) : [];
  if (current.length > 0) add[CURRENT_METRICS_ANNOTATION] = JSON.stringify(current.map(metricStatusToV1));
  const conditions = status && Array.isArray(status['conditions']) ? status['conditions'] : [];
  if (conditions.length > 0) add[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  if (isObj(spec['behavior'])) add[BEHAVIOR_ANNOTATION] = JSON.stringify(spec['behavior']);
  if (Object.keys(add).length > 0) {
    const m = obj(o['metadata']);
    m['annotations'] = { ...obj(m['annotations']), ...add };
    o['metadata'] = m;
  }
  const cpu = metrics.find(isCpuUtilization) as Obj | undefined;
  o['spec'] = defined({
    scaleTargetRef: spec['scaleTargetRef'],
    minReplicas: spec['minReplicas'],
    maxReplicas: spec['maxReplicas'],
    targetCPUUtilizationPercentage: cpu ? obj(obj(cpu['resource'])['target'])['averageUtilization'] : undefined,
  });
  if (!status) return;
  const cpuNow = current.find((x) => x['type'] === 'Resource' && obj(x['resource'])['name'] === 'cpu') as
    Obj | undefined;
  o['status'] = defined({
    observedGeneration: status['observedGeneration'],
    lastScaleTime: status['lastScaleTime'],
    currentReplicas: status['currentReplicas'] ?? 0,
    desiredReplicas: status['desiredReplicas'] ?? 0,
    currentCPUUtilizationPercentage: cpuNow ? obj(obj(cpuNow['resource'])['current'])['averageUtilization'] : undefined,
  });
};

/** Convert a stored object to the version a request is served at, in place (no-op when versions agree). */
export const fromStorage = (group: string, version: string, kind: string, o: Obj): void => {
  if (!needsConversion(group, version, kind)) return;
  if (group === 'autoscaling' && version === 'v1') hpaV2ToV1(o);
};

/** Convert an incoming object to the storage version, in place (no-op when versions agree). */
export const toStorage = (group: string, version: string, kind: string, o: Obj): void => {
  if (!needsConversion(group, version, kind)) return;
  if (group === 'autoscaling' && version === 'v1') hpaV1ToV2(o);
};
