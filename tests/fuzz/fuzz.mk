# libFuzzer harnesses, run by `make fuzz` (FUZZ_SECONDS per harness,
# default 60):
#
#   make -f tests/fuzz/fuzz.mk [FUZZ_SECONDS=N] [FUZZ_TARGETS="fuzz_cmd"]
#   make -f tests/fuzz/fuzz.mk build      only build the harnesses
#
# FUZZ_CMD_PERSIST=1 in the environment makes fuzz_cmd keep one switch for
# the whole run (see tests/fuzz/fuzz_cmd.c).
#
# The library sources (those of build/liblinkswitch.a: switch/ plug/ watch/
# mgmt/ but main.c and linkctl.c) are compiled again with clang, with
# coverage instrumentation and ASan + UBSan, into build-fuzz/.  Per harness
# NAME:
#   build-fuzz/NAME                   the fuzzer
#   build-fuzz/corpus/NAME/           its working corpus (kept between runs)
#   build-fuzz/seeds/NAME/            seeds: tests/fuzz/corpus/NAME/* plus
#                                     the ones generated below
#   build-fuzz/crashes/NAME/          crash-*, leak-*, timeout-*, oom-* inputs
# Reproduce a crash with:  build-fuzz/NAME build-fuzz/crashes/NAME/crash-...

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= fuzz_vde_req fuzz_cmd fuzz_url fuzz_tun_l2
FUZZ_FLAGS ?= -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
CLANG ?= clang
BF := build-fuzz

# Optional pkg-config packages of the core (vdeplug; libnl for watch/;
# libpcap).
FUZZ_PKGS := $(foreach p,vdeplug libnl-3.0 libnl-route-3.0 libpcap,\
	$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),$(p)))
FUZZ_PKG_CFLAGS := $(if $(FUZZ_PKGS),$(shell pkg-config --cflags $(FUZZ_PKGS)))
FUZZ_PKG_LIBS := $(if $(FUZZ_PKGS),$(shell pkg-config --libs $(FUZZ_PKGS)))

FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -I. -D_GNU_SOURCE \
	-fno-strict-aliasing -Wall -Wextra -Wno-unused-parameter \
	-fno-sanitize-recover=undefined $(FUZZ_PKG_CFLAGS)
LIB_SAN := -fsanitize=fuzzer-no-link,address,undefined
BIN_SAN := -fsanitize=fuzzer,address,undefined

LIB_SRCS := $(filter-out switch/main.c,$(wildcard switch/*.c)) \
	$(wildcard plug/*.c) $(wildcard watch/*.c) \
	$(filter-out mgmt/linkctl.c,$(wildcard mgmt/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BF)/obj/%.o)
BINS := $(FUZZ_TARGETS:%=$(BF)/%)

.PHONY: all build run seeds
.DELETE_ON_ERROR:

all: run

build: $(BINS)

$(BF)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(LIB_SAN) -MMD -MP -c -o $@ $<

# An archive, so that each harness links only the objects it needs.
$(BF)/libfuzzcore.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BINS): $(BF)/%: $(BF)/obj/tests/fuzz/%.o $(BF)/libfuzzcore.a
	$(CLANG) $(BIN_SAN) -o $@ $^ $(FUZZ_PKG_LIBS)

# Seeds: the committed text files, plus binary attach requests (bytes as
# captured from vdeplug4, little-endian: magic, version, type, sockaddr_un,
# description: the VDE protocol reference, section 1.3).
seeds: $(BF)/seeds/.stamp

$(BF)/seeds/.stamp: tests/fuzz/fuzz.mk $(wildcard tests/fuzz/corpus/*/*)
	@rm -rf $(BF)/seeds && mkdir -p $(BF)/seeds
	@for d in tests/fuzz/corpus/*/; do \
	    n=$$(basename $$d); mkdir -p $(BF)/seeds/fuzz_$$n; \
	    cp $$d* $(BF)/seeds/fuzz_$$n/ 2>/dev/null || true; \
	done
	@set -e; d=$(BF)/seeds/fuzz_vde_req; mkdir -p $$d; \
	M='\316\372\355\376'; P=/tmp/sw/.01234-00000; \
	pad() { head -c $$1 /dev/zero; }; \
	v3() { printf "$$M"'\003\000\000\000'"$$1"'\001\000'; printf %s "$$P"; \
	    pad $$((108 - $${#P})); printf %s "$$2"; }; \
	v3 '\000\000\000\000' 'vdeplug: user=root pid=7057' >$$d/v3-any; \
	v3 '\000\007\000\000' 'QEMU user=root pid=12497' >$$d/v3-port7; \
	v3 '\001\000\000\000' '' >$$d/v3-port0; \
	v3 '\002\000\000\000' 'x' >$$d/v3-badtype; \
	{ printf "$$M"'\000\000\000\000\002\021\042\063\104\125\001\000'; \
	    printf %s "$$P"; pad $$((108 - $${#P})); printf 'old'; } >$$d/v1; \
	printf "$$M"'\003\000\000\000' >$$d/short; \
	printf "$$M"'\002\000\000\000' >$$d/v2
	@touch $@

# Runs every harness for FUZZ_SECONDS, then fails if any found a problem.
run: $(BINS) $(BF)/seeds/.stamp
	@status=0; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BF)/corpus/$$t $(BF)/crashes/$$t $(BF)/seeds/$$t; \
	    echo "== $$t: $(FUZZ_SECONDS) s"; \
	    $(BF)/$$t $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(BF)/crashes/$$t/ \
	        $(BF)/corpus/$$t $(BF)/seeds/$$t \
	        >$(BF)/$$t.log 2>&1 || { \
	        status=1; echo "== $$t FAILED: see $(BF)/$$t.log and" \
	            "$(BF)/crashes/$$t/"; tail -n 40 $(BF)/$$t.log; }; \
	    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' \
	        $(BF)/$$t.log | sed "s/^/   /"; \
	    echo "   corpus: $$(ls $(BF)/corpus/$$t | wc -l) inputs"; \
	done; exit $$status

-include $(shell find $(BF)/obj -name '*.d' 2>/dev/null)
