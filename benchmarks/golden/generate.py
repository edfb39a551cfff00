#!/usr/bin/env python3
"""Writes the golden-test benchmark workspace: one workflow of 5 steps (4 model calls and a local
template, each depending on the one before) and N cases.

Usage: generate.py DIR PORT [CASES]
"""
import os
import sys

PROMPTS = {
    "outline/v1.prompt": """---
inputs:
  topic: {type: string}
temperature: 0.2
max_tokens: 120
---
system:
You outline short articles as a bulleted list.

user:
Outline an article about {{ topic }} in three bullets.
""",
    "draft/v1.prompt": """---
inputs:
  topic: {type: string}
  outline: {type: list}
max_tokens: 400
---
Write a short article about {{ topic }} that follows this outline:
{{ outline | bullets }}
""",
    "summary/v1.prompt": """---
inputs:
  draft: {type: string}
temperature: 0
---
Summarise in two sentences:

{{ draft }}
""",
    "title/v1.prompt": """---
inputs:
  summary: {type: string}
---
Suggest one title for an article with this summary: {{ summary }}
""",
    "page/v1.prompt": """---
inputs:
  title: {type: string}
  summary: {type: string}
  draft: {type: string}
---
# {{ title }}

> {{ summary }}

{{ draft }}
""",
}


def workflow(cases):
    lines = [
        "description: Benchmark workflow for quire test (5 steps, each reading the one before).",
        "inputs:",
        "  topic: {type: string}",
        "steps:",
        "  - id: outline",
        "    prompt: outline@v1",
        "    post: [trim, bullet_list]",
        "  - id: draft",
        "    prompt: draft@v1",
        "    post: [trim]",
        "  - id: summary",
        "    prompt: summary@v1",
        "    compare: normalized",
        "  - id: title",
        "    prompt: title@v1",
        "    post: [first_line]",
        "  - id: page",
        "    template: page@v1",
        "cases:",
    ]
    for n in range(1, cases + 1):
        lines.append(f"  case-{n:03d}: {{topic: Benchmark topic number {n}}}")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root, port = sys.argv[1], int(sys.argv[2])
    cases = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    files = {f"prompts/{path}": text for path, text in PROMPTS.items()}
    files["workflows/bench.yaml"] = workflow(cases)
    files["quire.yaml"] = (
        "provider: bench\n"
        "defaults: {model: bench-model}\n"
        "providers:\n"
        "  bench:\n"
        f"    base_url: http://127.0.0.1:{port}/v1\n"
        "    api_key_env: BENCH_API_KEY\n"
    )
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
