# Warnings every hub target gets; HUB_WERROR (on in CI) turns them into errors.
add_library(hub_warnings INTERFACE)
target_compile_options(hub_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Wformat=2)
if(HUB_WERROR)
  target_compile_options(hub_warnings INTERFACE -Werror)
endif()
