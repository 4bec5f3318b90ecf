# linkswitch build.  Plain GNU make; dependencies through pkg-config.
#
#   make            build build/linkswitch, build/linkctl and the test tools
#   make run        install missing Debian packages (as root), build, run the
#                   switch in the foreground with its console on stdin
#   make check      install missing packages, build, run every test
#   make bench      side-by-side benchmark against vde_switch and ptp://
#   make fuzz       libFuzzer harnesses (clang)
#   make SAN=1 ...  build with AddressSanitizer + UndefinedBehaviorSanitizer

CC ?= gcc
B := build
PKGS_CORE :=
PKG_CFLAGS := $(shell pkg-config --cflags vdeplug 2>/dev/null) \
              $(shell pkg-config --cflags libnl-route-3.0)
VDEPLUG_LIBS := $(shell pkg-config --libs vdeplug 2>/dev/null || echo -lvdeplug)

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
        -Wstrict-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -I. -D_GNU_SOURCE -fno-strict-aliasing
LDFLAGS ?=
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
B := build-san
endif

SWITCH_SRCS := $(filter-out switch/main.c,$(wildcard switch/*.c))
PLUG_SRCS := $(wildcard plug/*.c)
WATCH_SRCS := $(wildcard watch/*.c)
MGMT_SRCS := $(filter-out mgmt/linkctl.c,$(wildcard mgmt/*.c))
CORE_SRCS := $(SWITCH_SRCS) $(PLUG_SRCS) $(WATCH_SRCS) $(MGMT_SRCS)
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/obj/%.o)
CORE_LIBS := $(shell pkg-config --libs libnl-route-3.0) -lpcap

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(B)/tools/%)

.PHONY: all run check bench fuzz soak install clean deps unit format

# Keep object files of the tools and tests (make would delete them as
# intermediates, and print that after the test summary).
.SECONDARY:

LINKCTL := $(if $(wildcard mgmt/linkctl.c),$(B)/linkctl)

all: $(B)/linkswitch $(LINKCTL) $(TOOL_BINS) $(UNIT_BINS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/liblinkswitch.a: $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/linkswitch: $(B)/obj/switch/main.o $(B)/liblinkswitch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

$(B)/linkctl: $(B)/obj/mgmt/linkctl.o $(B)/liblinkswitch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS) -lreadline

$(B)/tools/%: $(B)/obj/tests/tools/%.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(VDEPLUG_LIBS) \
	    $(shell cat tests/tools/$*.libs 2>/dev/null)

$(B)/unit/%: $(B)/obj/tests/unit/%.o $(B)/liblinkswitch.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(CORE_LIBS)

deps:
	@sh tests/deps.sh

unit: $(UNIT_BINS)

run: deps all
	./$(B)/linkswitch $(RUNARGS)

check: deps all
	@sh tests/run.sh $(B)

bench: deps all
	@sh tests/bench/bench.sh $(B)

fuzz: deps
	@$(MAKE) -f tests/fuzz/fuzz.mk FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60)

soak: deps all
	@LS_BUILD=$(abspath $(B)) bash tests/soak.sh

PREFIX ?= /usr/local
install: all
	install -D -m 0755 $(B)/linkswitch $(DESTDIR)$(PREFIX)/bin/linkswitch
	install -D -m 0755 $(B)/linkctl $(DESTDIR)$(PREFIX)/bin/linkctl
	for m in docs/man/*.[1-8]; do [ -f "$$m" ] || continue; \
	    s=$${m##*.}; install -D -m 0644 $$m \
	    $(DESTDIR)$(PREFIX)/share/man/man$$s/$$(basename $$m); done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
