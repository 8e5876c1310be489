# CMAKE_BUILD_TYPE=Asan: address + undefined behaviour sanitizers, with frame pointers kept.
# -Og -g1 (line tables, no variables) compiles in half the time of -O1 -g and still gives
# symbolized stack traces with lines.
set(CMAKE_CXX_FLAGS_ASAN "-Og -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
    CACHE STRING "" FORCE)
set(CMAKE_C_FLAGS_ASAN "${CMAKE_CXX_FLAGS_ASAN}" CACHE STRING "" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
