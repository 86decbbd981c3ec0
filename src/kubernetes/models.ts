/**
 * The typed Kubernetes models a manifest is checked against before it is mapped: `kubernetes-models`
 * (generated from the API server's OpenAPI schemas, with its JSON-schema validators) for Deployments and
 * HorizontalPodAutoscalers, and `@kubernetes-models/keda` for KEDA's ScaledObject.
 *
 * They load in about 150 ms (the validators compile their schemas), and are ES modules, which Node 20
 * cannot require synchronously; scenario loading is synchronous. So they are loaded once, asynchronously,
 * by whoever reads manifests (`loadKubernetesModels()`: the CLI does it before any command whose input names
 * a manifest), and never on a run that has none.
 */

/** The kinds gmpsim reads, as `apiVersion kind`. */
export const MANIFEST_KINDS = [
  'apps/v1 Deployment',
  'autoscaling/v2 HorizontalPodAutoscaler',
  'autoscaling/v2beta2 HorizontalPodAutoscaler',
  'autoscaling/v1 HorizontalPodAutoscaler',
  'keda.sh/v1alpha1 ScaledObject',
] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

/** One schema violation: the path inside the manifest and what is wrong there. */
export interface ModelViolation {
  path: (string | number)[];
  message: string;
}

type Validate = (data: unknown) => ModelViolation[];
type Model = new (data: never) => { validate(): void };

let validators: Record<ManifestKind, Validate> | undefined;

/** Load the typed models (idempotent). */
export async function loadKubernetesModels(): Promise<void> {
  if (validators) return;
  const [deployment, hpa2, hpa2b2, hpa1, scaledObject] = await Promise.all([
    import('kubernetes-models/apps/v1/Deployment'),
    import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'),
    import('kubernetes-models/autoscaling/v2beta2/HorizontalPodAutoscaler'),
    import('kubernetes-models/autoscaling/v1/HorizontalPodAutoscaler'),
    import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'),
  ]);
  validators = {
    'apps/v1 Deployment': validatorOf(deployment.Deployment),
    'autoscaling/v2 HorizontalPodAutoscaler': validatorOf(hpa2.HorizontalPodAutoscaler),
    'autoscaling/v2beta2 HorizontalPodAutoscaler': validatorOf(hpa2b2.HorizontalPodAutoscaler),
    'autoscaling/v1 HorizontalPodAutoscaler': validatorOf(hpa1.HorizontalPodAutoscaler),
    'keda.sh/v1alpha1 ScaledObject': validatorOf(scaledObject.ScaledObject),
  };
}

/** Whether loadKubernetesModels() has completed. */
export function kubernetesModelsLoaded(): boolean {
  return validators !== undefined;
}

/** Check a manifest of a known kind against its model; [] when it is valid. */
export function validateManifest(kind: ManifestKind, data: unknown): ModelViolation[] {
  if (!validators)
    throw new Error('internal: the Kubernetes models were not loaded (await loadKubernetesModels() first)');
  return validators[kind](data);
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validatorOf(model: Model): Validate {
  return (data) => {
    try {
      new model(data as never).validate();
      return [];
    } catch (e) {
      const errors = (e as { errors?: AjvError[] }).errors;
      if (!Array.isArray(errors)) return [{ path: [], message: (e as Error).message }];
      return errors.map((err) => {
        const path: (string | number)[] = (err.instancePath ?? '')
          .split('/')
          .slice(1)
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        // A required field: the path names it (and what is found there is nothing).
        const missing = err.params?.missingProperty;
        return typeof missing === 'string'
          ? { path: [...path, missing], message: 'expected a value' }
          : { path, message: describeAjv(err) };
      });
    }
  };
}

/** "must be integer" → "expected an integer"; ajv's words otherwise. */
function describeAjv(err: AjvError): string {
  const p = err.params ?? {};
  if (typeof p.type === 'string') return `expected ${p.type === 'integer' ? 'an integer' : `a ${p.type}`}`;
  if (Array.isArray(p.allowedValues))
    return `expected one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(' | ')}`;
  return `expected a value that ${err.message ?? 'matches the schema'}`;
}
