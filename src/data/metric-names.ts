/**
 * The names of the metrics a task may report: label-task metrics (computed by eval/metrics.ts) and the
 * NLG metrics of generation tasks (eval/nlg/scores.ts). A task declares its metrics by these names, so
 * they belong to data/; eval/ implements them.
 */
export type MetricName = 'accuracy' | 'f1' | 'mcc' | 'pearson' | 'spearman' | 'macro_f1';

/** The E2E challenge's five metrics, in the order its scripts print them. */
export const NLG_METRIC_NAMES = ['BLEU', 'NIST', 'METEOR', 'ROUGE_L', 'CIDEr'] as const;
export type NlgMetricName = (typeof NLG_METRIC_NAMES)[number];
