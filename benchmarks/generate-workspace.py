#!/usr/bin/env python3
"""Generates the workspace the validate benchmark checks: by default 200 workflows of 10 steps each
and 500 prompt files (plus a few partials), written into DIR.

The workspace is meant to look like a real one, not like 2,000 copies of one line:
- prompt files have front matter (description, typed inputs with defaults, model parameters, tags),
  role markers with few-shot examples, includes of partials, filters, if/elif/else and for loops;
- prompts come in 250 families of 2 or 3 versions; workflows pin some versions (`name@v2`) and take
  the latest of others, so every prompt file is used by some workflow;
- every workflow chains its 10 steps by dependencies: a plan whose bulleted list fans out twice
  (`for_each`), steps that read earlier outputs, an explicit `needs`, a JSON step with a schema,
  and a local template step that writes the report. Parameters, concurrency and cases vary.

It must validate with 0 errors and 0 warnings (`quire validate -C DIR`), which run.sh checks.
Deterministic: the same arguments write the same bytes.

Usage: benchmarks/generate-workspace.py DIR [--workflows N] [--prompts N] [--force]
  --force  replace DIR if it is a workspace this script generated before (never anything else)
"""
import argparse
import math
import os
import shutil
import sys

MARKER = ".quire-bench-workspace"

# The 10 steps of every workflow, in dependency order: (step id, prompt kind).
STEPS = ["plan", "outline", "research", "draft", "critique", "facts", "glossary", "summary", "title", "assemble"]

TOPICS = [
    "Structured concurrency in Swift", "How SQLite's write-ahead log works", "Zero-downtime database migrations",
    "Rate limiting an HTTP API", "Reading a flame graph", "Designing idempotent webhooks",
    "Feature flags without regret", "Backpressure in streaming systems", "Choosing a primary key",
    "On-call handovers that work", "Caching with stale-while-revalidate", "Writing a good postmortem",
]
AUDIENCES = ["software engineers", "backend developers", "site reliability engineers", "product managers",
             "data engineers", "engineering managers"]
PARTIALS = 10


def partial(n):
    rules = [
        "Write in plain English; prefer short sentences.",
        "Use the active voice and name who does what.",
        "Prefer concrete examples over general advice.",
        "Never invent numbers; say when something depends on the system.",
        "Avoid jargon unless the audience uses it daily.",
    ]
    lines = [f"House style {n:02d}:"] + [f"- {rules[(n + i) % len(rules)]}" for i in range(3)]
    lines.append("- Keep the tone {{ tone | default(\"plain\") }}.")
    return "\n".join(lines) + "\n"


def front_matter(description, inputs, params, kind):
    lines = ["---", f"description: {description}", "inputs:"]
    for name, spec in inputs:
        lines.append(f"  {name}: {spec}")
    lines += params
    lines.append(f"tags: [benchmark, {kind}]")
    lines.append("---")
    return "\n".join(lines) + "\n"


def prompt_text(kind, family, version):
    """One prompt file. Versions of a family use the same variables but differ in wording and examples."""
    style = f"partials/style-{(family + version) % PARTIALS:02d}.md"
    tag = f"{kind}-{family:02d} v{version}"
    extra_example = version >= 2
    if kind == "plan":
        fm = front_matter(
            f"Plans a report as a bulleted list of section titles ({tag}).",
            [("topic", "{type: string, description: What the report is about}"),
             ("audience", "{type: string, default: software engineers}"),
             ("count", f"{{type: integer, default: {6 + version}}}")],
            ["temperature: 0.2", "max_tokens: 300"], kind)
        body = (
            "system:\n"
            "You plan short technical reports for {{ audience }}. You answer with a bulleted list of section titles "
            "and nothing else.\n"
            f'{{% include "{style}" %}}\n\n'
            "user:\nPlan a report about error handling in Go with 3 sections.\n\n"
            "assistant:\n- Errors are values\n- Wrapping errors with context\n- When to panic\n\n")
        if extra_example:
            body += ("user:\nPlan a report about HTTP caching with 2 sections.\n\n"
                     "assistant:\n- Freshness and validation\n- Caches you do not control\n\n")
        body += ("user:\nPlan a report about {{ topic | trim }} with {{ count }} sections"
                 "{% if audience %} for {{ audience | lower }}{% endif %}.\n")
    elif kind == "outline":
        fm = front_matter(
            f"Outlines one planned section ({tag}).",
            [("topic", "{type: string}"), ("section", "{type: string, description: A title from the plan}")],
            ["temperature: 0.5", "max_tokens: 200"], kind)
        body = (
            "system:\nYou outline one section of a report about {{ topic }}.\n\n"
            "user:\nOutline section {{ each.index }} of {{ each.count }}: \"{{ section | trim }}\".\n"
            "{% if each.first %}It opens the report.{% elif each.last %}It closes the report.{% else %}"
            "It sits in the middle.{% endif %}\n"
            f"Give {3 + version} bullet points, each under 12 words.\n")
    elif kind == "research":
        fm = front_matter(
            f"Collects the background a writer needs for the whole plan ({tag}).",
            [("topic", "{type: string}"), ("plan", "{type: list}")],
            ["temperature: 0.3", "max_tokens: 600"], kind)
        body = (
            "system:\nYou collect background facts for technical writers. You cite no sources you cannot name.\n"
            f'{{% include "{style}" %}}\n\n'
            "user:\nTopic: {{ topic }}\nPlanned sections ({{ plan | length }}):\n{{ plan | bullets }}\n\n"
            "List the facts a writer needs, grouped by section.\n")
    elif kind == "draft":
        fm = front_matter(
            f"Writes one section from its outline and the research ({tag}).",
            [("section", "{type: string}"), ("research", "{type: string}"), ("outline", "{type: list}"),
             ("audience", "{type: string, default: software engineers}")],
            ["temperature: 0.7", "max_tokens: 800"], kind)
        body = (
            "system:\nYou write one section of a report for {{ audience }}.\n"
            f'{{% include "{style}" %}}\n\n')
        if extra_example:
            body += ("user:\nWrite the section \"Why retries need jitter\" from this outline:\n"
                     "- synchronized clients\n- thundering herd\n\n"
                     "assistant:\nWhen every client retries on the same schedule, they arrive together...\n\n")
        body += (
            "user:\nWrite the section \"{{ section }}\" ({{ each.index }} of {{ each.count }}) from this outline:\n"
            "{{ outline[each.index0] | trim }}\n\nBackground:\n{{ research | trim | indent(2) }}\n\n"
            "Two short paragraphs. Do not repeat the title.\n")
    elif kind == "critique":
        fm = front_matter(
            f"Reviews the drafted sections ({tag}).",
            [("draft", "{type: list}"), ("tone", "{type: string, default: plain}")],
            ["temperature: 0.4", "max_tokens: 500"], kind)
        body = (
            "system:\nYou are a careful technical editor. Your tone is {{ tone }}.\n\n"
            "user:\nHere are {{ draft | length }} sections.\n\n"
            "{% for part in draft -%}\nSection {{ loop.index }}{% if loop.last %} (last){% endif %}:\n"
            "{{ part | trim | indent(2) }}\n\n{% endfor -%}\n"
            f"List the {2 + version} biggest problems, most important first.\n")
    elif kind == "facts":
        fm = front_matter(
            f"Extracts terms and claims as JSON ({tag}).",
            [("topic", "{type: string}"), ("research", "{type: string}")],
            ["temperature: 0", "max_tokens: 400", "seed: 7"], kind)
        body = (
            "system:\nYou extract facts as one JSON object and nothing else: "
            "{\"terms\": [strings], \"claims\": [strings]}.\n\n"
            "user:\nTopic: {{ topic | upper }}\nNotes:\n{{ research }}\n")
    elif kind == "glossary":
        fm = front_matter(
            f"Writes a glossary of the report's terms ({tag}).",
            [("topic", "{type: string}"), ("research", "{type: string}"),
             ("audience", "{type: string, default: software engineers}")],
            ["temperature: 0.3", "max_tokens: 400"], kind)
        body = (
            "system:\nYou write glossaries for {{ audience }}: one line per term, `term — meaning`.\n\n"
            "user:\nWrite a glossary for a report about {{ topic }}, from these notes:\n"
            "{{ research | trim }}\n")
    elif kind == "summary":
        fm = front_matter(
            f"Summarises the report for its first paragraph ({tag}).",
            [("critique", "{type: string}"), ("facts", "{type: object}"), ("plan", "{type: list}")],
            ["temperature: 0.5", "max_tokens: 250"], kind)
        body = (
            "system:\nYou write the opening summary of a report in at most 80 words.\n\n"
            "user:\nThe report has {{ plan | length }} sections, from \"{{ plan | first }}\" to \"{{ plan | last }}\".\n"
            "Known facts: {{ facts | json }}\nAn editor said:\n{{ critique | trim }}\n")
    elif kind == "title":
        fm = front_matter(
            f"Proposes the report's title ({tag}).",
            [("topic", "{type: string}"), ("summary", "{type: string}")],
            ["temperature: 0.9", "max_tokens: 30", 'stop: ["\\n\\n"]'], kind)
        body = (
            "system:\nYou write titles: at most 10 words, no quotes, no trailing period.\n\n"
            "user:\nA title for a report about {{ topic }} that opens with:\n{{ summary | trim }}\n")
    elif kind == "assemble":
        fm = front_matter(
            f"Assembles the report locally, no model call ({tag}).",
            [("title", "{type: string}"), ("summary", "{type: string}"), ("plan", "{type: list}"),
             ("draft", "{type: list}"), ("glossary", "{type: string}")],
            [], kind)
        body = (
            "# {{ title | trim }}\n\n{{ summary | trim }}\n\n"
            "{% for heading in plan -%}\n{{ loop.index }}. [{{ heading }}](#part-{{ loop.index }})\n{% endfor %}\n"
            "{% for heading in plan %}\n## <a id=\"part-{{ loop.index }}\"></a>{{ heading }}\n\n"
            "{{ draft[loop.index0] | trim }}\n{% endfor %}\n"
            "## Glossary\n\n{{ glossary | trim }}\n"
            "{# generated by benchmarks/generate-workspace.py #}\n")
    else:
        raise ValueError(kind)
    return fm + body


def families(prompt_files):
    """(kind, family number, version count) so that the counts add up to prompt_files: 2 or 3 versions each."""
    per_kind = prompt_files // len(STEPS)
    extra = prompt_files - per_kind * len(STEPS)
    result = []
    for k, kind in enumerate(STEPS):
        files = per_kind + (1 if k < extra else 0)
        count = max(1, files // 2)            # families of 2, the remainder made 3
        threes = files - 2 * count if files >= 2 else 0
        for f in range(count):
            versions = 3 if f < threes else (2 if files >= 2 else 1)
            result.append((kind, f, versions))
    return result


def workflow_text(index, fams):
    name = f"report-{index:03d}"
    topic = TOPICS[index % len(TOPICS)]
    audience = AUDIENCES[index % len(AUDIENCES)]
    refs = {}
    for k, kind in enumerate(STEPS):
        # Every (family, version) of the kind in turn, with a stride coprime to their number, so that
        # every prompt file is used and neighbouring workflows use different prompts.
        files = [(family, version, versions) for family, versions in fams[kind] for version in range(1, versions + 1)]
        stride = next(s for s in (7, 11, 13, 17, 19, 23, 1) if math.gcd(len(files), s) == 1)
        family, version, versions = files[(index * stride + 3 * k) % len(files)]
        ref = f"{kind}-{family:02d}"
        refs[kind] = ref if (version == versions and index % 2 == 0) else f"{ref}@v{version}"
    lines = [
        f"name: {name}",
        f"description: Report pipeline {index} — a plan fans out into outlines and drafts, edited, summarised and "
        "assembled.",
        "inputs:",
        "  topic: {type: string, description: What the report is about}",
        f"  audience: {{type: string, default: {audience}}}",
        "  tone: {type: string, default: plain}",
        "defaults:",
        f"  temperature: {0.5 + (index % 5) / 10:.1f}",
        f"  max_tokens: {400 + 100 * (index % 4)}",
    ]
    if index % 3 == 0:
        lines.append(f"concurrency: {4 + index % 8}")
    lines.append("steps:")
    lines += [
        "  - id: plan",
        f"    prompt: {refs['plan']}",
        "    temperature: 0.2",
        "    post: [trim, bullet_list]          # the output becomes a list of titles",
        "  - id: outline",
        "    for_each: plan                     # one call per plan item, in parallel",
        "    as: section",
        f"    prompt: {refs['outline']}",
        "    max_tokens: 200",
        "    post: [trim]",
        "  - id: research",
        f"    prompt: {refs['research']}",
        "    temperature: 0.3",
        "  - id: draft",
        "    for_each: plan",
        "    as: section",
        f"    prompt: {refs['draft']}",
        f"    max_tokens: {600 + 50 * (index % 5)}",
        "    post: [trim]",
        "  - id: critique",
        f"    prompt: {refs['critique']}",
        "  - id: facts",
        f"    prompt: {refs['facts']}",
        "    temperature: 0",
        "    seed: 7",
        "    response_format:",
        "      name: report_facts",
        "      schema:",
        "        type: object",
        "        required: [terms, claims]",
        "        additionalProperties: false",
        "        properties:",
        "          terms: {type: array, items: {type: string}}",
        "          claims: {type: array, items: {type: string}}",
        "    post:",
        "      - strip_code_fences",
        "      - json:",
        "          schema: {type: object, required: [terms, claims]}",
        "  - id: glossary",
        f"    prompt: {refs['glossary']}",
        "    needs: [facts]                     # waits for the facts even though it does not read them",
        "  - id: summary",
        f"    prompt: {refs['summary']}",
        "  - id: title",
        f"    prompt: {refs['title']}",
        "    post: [trim, first_line]",
        "  - id: assemble",
        f"    template: {refs['assemble']}",
        "    output: report.md",
        "cases:",
        f"  first: {{topic: {topic}}}",
        f"  second: {{topic: {TOPICS[(index + 5) % len(TOPICS)]}, audience: {AUDIENCES[(index + 1) % len(AUDIENCES)]}, "
        "tone: direct}",
    ]
    return name, "\n".join(lines) + "\n"


QUIRE_YAML = """# Generated by benchmarks/generate-workspace.py: the workspace the validate benchmark checks.
defaults:
  temperature: 0.7
  max_tokens: 512
providers:
  fake:
    base_url: http://127.0.0.1:9/v1
    capabilities:
      output_limit: max_tokens
prices:
  gpt-4o-mini: {input: 0.15, cached_input: 0.075, output: 0.60}
paths:
  prompts: prompts
  workflows: workflows
  output: output
  golden: golden
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--workflows", type=int, default=200)
    parser.add_argument("--prompts", type=int, default=500, help="prompt files (v<N>.prompt), at least 20")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.workflows <= 100_000 or not 20 <= args.prompts <= 100_000:
        sys.exit("--workflows must be 1…100000 and --prompts 20…100000")

    out = os.path.abspath(args.dir)
    if os.path.exists(out) and os.listdir(out):
        if not os.path.exists(os.path.join(out, MARKER)):
            sys.exit(f"{out} is not empty and was not generated by this script; refusing to touch it")
        if not args.force:
            sys.exit(f"{out} exists; pass --force to replace it")
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, MARKER), "Generated by benchmarks/generate-workspace.py; safe to delete.\n")
    write(os.path.join(out, "quire.yaml"), QUIRE_YAML)
    write(os.path.join(out, "output", ".gitkeep"), "")

    fams = {kind: [] for kind in STEPS}
    prompt_files = 0
    for kind, family, versions in families(args.prompts):
        fams[kind].append((family, versions))
        for version in range(1, versions + 1):
            write(os.path.join(out, "prompts", f"{kind}-{family:02d}", f"v{version}.prompt"),
                  prompt_text(kind, family, version))
            prompt_files += 1
    for n in range(PARTIALS):
        write(os.path.join(out, "prompts", "partials", f"style-{n:02d}.md"), partial(n))
    for index in range(args.workflows):
        name, text = workflow_text(index, fams)
        write(os.path.join(out, "workflows", f"{name}.yaml"), text)
    print(f"{out}: {args.workflows} workflows × {len(STEPS)} steps, {prompt_files} prompt files, {PARTIALS} partials")


if __name__ == "__main__":
    main()
