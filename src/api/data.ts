/**
 * `grasp-hil/data` — tasks (GLUE folders, built-in Brown genre and SpamAssassin tasks; a registry for
 * more), seeded subsets and batching.
 */
export { getTask, listTasks, registerTask, numOutputs, seededSubset, GLUE_TASK_IDS } from '../data/index.js';
export type { Example, Task, TaskData, TaskLoadOptions, SplitName } from '../data/index.js';
export { encodeExamples, collate, batchOrder } from '../data/index.js';
export type { Batch, EncodedSet, TextTokenizer } from '../data/index.js';
