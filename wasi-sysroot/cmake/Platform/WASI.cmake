# CMake < 3.31 has no WASI platform; this minimal one is found through
# CMAKE_MODULE_PATH by wasi-sysroot/build-llvm.sh. WASI is POSIX-like (UNIX),
# static only, and executables are .wasm modules.
set(UNIX 1)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
