#ifndef KIEM_CLIBFUZZER_H
#define KIEM_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, as a library call (llvm.org/docs/LibFuzzer.html,
/// "Using libFuzzer as a library"): parses the flags in argv and fuzzes
/// `callback`. The fuzz targets call it from their own entry point.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
