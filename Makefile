# lep — two commands for users:
#   make run    build (Release), migrate + seed ./var once, serve http://127.0.0.1:8080
#   make test   build with ASan+UBSan and -Werror, run every test through ctest
# and for developers/CI:
#   make fuzz   build the libFuzzer harnesses (clang, build/fuzz), run each FUZZ_SECONDS
#   make bench  build Release, run bench/run.sh (SQLite + PostgreSQL, vs nginx), write
#               bench/results/latest.md (~15 min on 2 cores; asserts nothing, not part of test)
.PHONY: all deps build web run test test-build clean format fuzz fuzz-build bench

DATA      ?= var
LISTEN    ?= 127.0.0.1:8080
RELEASE   := build/release
ASAN      := build/asan
FUZZ      := build/fuzz
FUZZ_SECONDS ?= 60
JOBS      ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(RELEASE) --target lep -j $(JOBS)

web/dist/index.html: $(shell find web/src web/index.html web/package-lock.json -type f 2>/dev/null)
	@cd web && (test -d node_modules || npm ci --no-audit --no-fund) && npm run --silent build

web: deps web/dist/index.html

run: build web
	@$(RELEASE)/src/lep migrate --data $(DATA)
	@$(RELEASE)/src/lep seed-demo --data $(DATA)
	@exec $(RELEASE)/src/lep serve --data $(DATA) --listen $(LISTEN) --web web/dist

test-build: deps
	@cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLEP_SANITIZE=ON -DLEP_WERROR=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

test: test-build
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)
	@LEP_BIN=$(CURDIR)/$(ASAN)/src/lep web/scripts/test.sh

fuzz-build: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLEP_FUZZ=ON -DLEP_WERROR=ON >/dev/null
	@cmake --build $(FUZZ) --target fuzzers -j $(JOBS)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_BUILD=$(FUZZ) fuzz/run.sh

bench: build
	@LEP_BIN=$(CURDIR)/$(RELEASE)/src/lep bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf build
