#!/usr/bin/env python3
"""Reference rows for benchmarks/run.sh: Quire's benchmark workflows written as plain Python asyncio
scripts with the official `openai` package, sent to the same fake OpenAI-compatible server.

    workflows.py publishing-report --topic T --out DIR [--runs N]
    workflows.py fan-out --items FILE --out DIR [--concurrency 64]

publishing-report sends the messages Quire renders for the example workflow (publishing-plan@v2,
then section-writer@v1 once per plan item, all at once), merges the sections like report-merge@v1
and writes every output plus a small manifest (usage, latency) — the work a hand-written script
would do. --runs N runs N of them at once in this one process. fan-out sends one item-writer@v1
call per item of a YAML list (at most --concurrency in flight) and writes each answer and the
merged file.

The base URL and key come from OPENAI_BASE_URL and OPENAI_API_KEY, as for Quire.
"""

import argparse
import asyncio
import json
import os
import re
import sys
import time

from openai import AsyncOpenAI

HOUSE_STYLE = (
    "Write in plain, direct English for {audience}. Prefer concrete examples to abstractions.\n"
    "Avoid marketing language, exclamation marks and filler."
)


def plan_messages(topic, audience, count=4):
    return [
        {"role": "system", "content": "You plan short technical reports. You answer with a bulleted list of "
         "section titles and nothing else.\n" + HOUSE_STYLE.format(audience=audience)},
        {"role": "user", "content": "Plan a report about error handling in Go with 4 sections."},
        {"role": "assistant", "content": "- What error handling in Go is\n- How error handling in Go works\n"
         "- Examples of error handling in Go\n- Common mistakes with error handling in Go"},
        {"role": "user", "content": f"Plan a report about {topic} with {count} sections."},
    ]


def section_messages(topic, audience, section, index, count):
    return [
        {"role": "system", "content": f"You write one section of a report about {topic}.\n"
         + HOUSE_STYLE.format(audience=audience)},
        {"role": "user", "content": f'Write the section "{section}" (section {index} of {count}) in two short '
         "paragraphs.\nDo not repeat the title."},
    ]


BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")


def bullet_list(text):
    return [m.group(1) for line in text.splitlines() if (m := BULLET.match(line))]


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


async def call(client, messages, model, **params):
    start = time.monotonic()
    response = await client.chat.completions.create(model=model, messages=messages, **params)
    choice = response.choices[0]
    return {
        "content": choice.message.content or "",
        "finish_reason": choice.finish_reason,
        "usage": response.usage.model_dump() if response.usage else None,
        "latency_ms": round((time.monotonic() - start) * 1000),
    }


async def publishing_report(client, model, topic, audience, out):
    os.makedirs(out, exist_ok=True)
    manifest = {"workflow": "publishing-report", "status": "running", "inputs": {"topic": topic, "audience": audience},
                "steps": {}}
    plan = await call(client, plan_messages(topic, audience), model, temperature=0.2, max_tokens=200)
    titles = bullet_list(plan["content"].strip())
    write(os.path.join(out, "plan.txt"), plan["content"].strip() + "\n")
    manifest["steps"]["plan"] = {"calls": [plan]}
    results = await asyncio.gather(*(
        call(client, section_messages(topic, audience, title, i + 1, len(titles)), model,
             temperature=0.7, max_tokens=400, frequency_penalty=0.5)
        for i, title in enumerate(titles)))
    sections = []
    for i, result in enumerate(results):
        text = result["content"].strip()
        sections.append(text)
        write(os.path.join(out, f"sections-{i + 1}.txt"), text + "\n")
    manifest["steps"]["sections"] = {"calls": results}
    toc = "".join(f"{i + 1}. [{t}](#section-{i + 1})\n" for i, t in enumerate(titles))
    body = "".join(f'\n\n## <a id="section-{i + 1}"></a>{t}\n\n{sections[i]}\n' for i, t in enumerate(titles))
    write(os.path.join(out, "report.md"), f"# {topic}\n\n{toc}{body}")
    manifest["status"] = "succeeded"
    write(os.path.join(out, "manifest.json"), json.dumps(manifest, indent=2, sort_keys=True) + "\n")


async def fan_out(client, model, topic, items, out, concurrency):
    os.makedirs(out, exist_ok=True)
    gate = asyncio.Semaphore(concurrency)

    async def one(index, item):
        messages = [
            {"role": "system", "content": "You write one short paragraph about one item of a list, for a report "
             f"about {topic}."},
            {"role": "user", "content": f"Item {index} of {len(items)}: {item}"},
        ]
        async with gate:
            result = await call(client, messages, model, max_tokens=300)
        text = result["content"].strip()
        write(os.path.join(out, f"paragraphs-{index}.txt"), text + "\n")
        return text

    paragraphs = await asyncio.gather(*(one(i + 1, item) for i, item in enumerate(items)))
    write(os.path.join(out, "merged.md"), "".join(f"{i + 1}. {p}\n" for i, p in enumerate(paragraphs)))


def read_items(path):
    # The benchmark's items files: "items:" then one "  - text" line per item.
    with open(path, encoding="utf-8") as f:
        return [line.strip()[2:] for line in f if line.strip().startswith("- ")]


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workflow", choices=["publishing-report", "fan-out"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--model", default="fake-model")
    parser.add_argument("--topic", default="Structured concurrency in Swift")
    parser.add_argument("--audience", default="software engineers")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--items")
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    client = AsyncOpenAI(max_retries=2, timeout=120)
    try:
        if args.workflow == "publishing-report":
            outs = [args.out] if args.runs == 1 else [f"{args.out}-{i + 1}" for i in range(args.runs)]
            await asyncio.gather(*(publishing_report(client, args.model, args.topic, args.audience, o) for o in outs))
        else:
            if not args.items:
                parser.error("fan-out needs --items FILE")
            await fan_out(client, args.model, "backpressure in streaming systems", read_items(args.items),
                          args.out, args.concurrency)
    finally:
        await client.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
