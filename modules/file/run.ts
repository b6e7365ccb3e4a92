// The file module runs the shared search engine as it is: modules/shared/search/ holds the walk,
// reads, regexes and judging that the scribe, sshkey, yara, process, memory and pkg modules reuse.
export { runFile, type FileRow } from '../shared/search/run.js';
