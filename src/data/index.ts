/** Tasks (registry, GLUE, built-in corpora) and batching. Importing this module registers every task. */
export { registerTask, getTask, getAnyTask, isGenerationTask, listTasks, listAnyTasks, checkLabel, numOutputs, splitOfIndex, seededSubset } from './task.js';
export type { AnyTask, GenerationTask, Example, Task, TaskData, TaskInput, TaskLoadOptions, SplitName } from './task.js';
export { GLUE_TASK_IDS } from './glue.js';
export { BROWN_GENRES, brownSplits, chunkDocument, detokenize } from './brown.js';
export { brownD2tSplits, mrOf, passageSlots, taggedPassages, REFERENCE_TEMPLATES } from './brown-d2t.js';
export type { D2tSlots } from './brown-d2t.js';
export { e2eTask } from './e2e-task.js';
export { spamSplits, messageText, stripHtml } from './spam.js';
export { encodeExamples, collate, batchOrder } from './batch.js';
export type { Batch, EncodedSet, TextTokenizer } from './batch.js';
export { parseCsv, readCsv } from './csv.js';
export type { CsvFile, CsvRecord } from './csv.js';
export { loadE2E, readE2ECsv, parseMr, E2E_FILES } from './e2e.js';
export type { E2EData, E2EItem, MrSlot } from './e2e.js';
export { loadLocalTask, taskFromArg, LOCAL_TASK_FILES, MAX_NUMERIC_CLASSES, type LocalTaskOptions, type LocalTaskType } from './local.js';
