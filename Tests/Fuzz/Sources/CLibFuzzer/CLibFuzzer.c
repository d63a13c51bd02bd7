// Only the header matters: libFuzzer (linked by -sanitize=fuzzer) defines
// LLVMFuzzerRunDriver. SwiftPM needs a source file in a C target.
#include "CLibFuzzer.h"
