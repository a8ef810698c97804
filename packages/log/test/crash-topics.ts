// Names shared by the crash child and the crash test.
export const IN = 'crash.in';
export const OUT = 'crash.out';
export const GROUP = 'crash-transformer';
export const PARTITIONS = 3;
