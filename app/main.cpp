// app/main.cpp: parse the command line, load config, build the services it names, run.
#include <cstdio>

int main() {
  std::printf("hub %s\n", HUB_VERSION);
  return 0;
}
