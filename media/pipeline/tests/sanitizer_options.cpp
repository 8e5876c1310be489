// media/pipeline/tests/sanitizer_options.cpp
//
// LeakSanitizer defaults for the pipeline tests (used only in ASan builds). GLib grows its quark
// table in blocks of 2048 and deliberately never frees the old block (lock-free lookups);
// GStreamer registers more than 2048 quarks, so the first block, allocated by GLib's library
// constructor, always shows up as a 16 KiB "direct leak". Its stack is only GLib and _dl_init,
// so a full (slow) unwind on malloc lets one narrow suppression name it.
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
extern "C" const char* __lsan_default_suppressions() { return "leak:_dl_init\n"; }
