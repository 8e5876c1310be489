# Warnings every hub target gets; HUB_WERROR (on in CI) turns them into errors.
# Left out: -Wnull-dereference and -Wrestrict, which GCC 12 at -O3 raises inside libstdc++'s own
# streams and strings (GCC bug 105329), not in our code.
add_library(hub_warnings INTERFACE)
target_compile_options(hub_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2 -Wno-restrict)
if(HUB_WERROR)
  target_compile_options(hub_warnings INTERFACE -Werror)
endif()
