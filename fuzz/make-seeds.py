#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (called by scripts/fuzz).

  template:  every `template:` of Tests/QuireCoreTests/Fixtures/template-spec/*.yaml and every prompt
             and partial of the wrong/ corpus and of the example workspace
  workspace: every wrong/ workspace, packed as the target reads it: workflow, prompt, quire.yaml and a
             partial joined by lines of `%%%%`

Usage: fuzz/make-seeds.py OUTPUT-FOLDER   (writes OUTPUT-FOLDER/template and OUTPUT-FOLDER/workspace)
"""
import glob
import hashlib
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1]
SEPARATOR = b"\n%%%%\n"


def write(target, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


counts = {"template": 0, "workspace": 0}
try:
    import yaml

    for path in sorted(glob.glob(os.path.join(root, "Tests/QuireCoreTests/Fixtures/template-spec/*.yaml"))):
        for case in yaml.safe_load(read(path)) or []:
            if isinstance(case, dict) and isinstance(case.get("template"), str):
                write("template", case["template"].encode("utf-8", "surrogatepass"))
                counts["template"] += 1
except ImportError:
    print("note: PyYAML is missing; the template-spec cases are not seeds", file=sys.stderr)

prompt_files = glob.glob(os.path.join(root, "prompts/**/*.*"), recursive=True)
wrong = os.path.join(root, "Tests/QuireCoreTests/Fixtures/wrong")
prompt_files += glob.glob(os.path.join(wrong, "*/prompts/**/*.*"), recursive=True)
for path in sorted(prompt_files):
    write("template", read(path))
    counts["template"] += 1

workspaces = [os.path.join(wrong, name) for name in sorted(os.listdir(wrong))] + [root]
for folder in workspaces:
    workflows = sorted(glob.glob(os.path.join(folder, "workflows/*.yaml")))
    # The target's prompt is prompts/writer/v1.prompt, the one most wrong/ workflows use.
    prompts = sorted(glob.glob(os.path.join(folder, "prompts/**/*.prompt"), recursive=True), key=lambda p: "writer/v1" not in p)
    partials = sorted(glob.glob(os.path.join(folder, "prompts/partials/*")))
    config = os.path.join(folder, "quire.yaml")
    for workflow in workflows:
        parts = [
            read(workflow),
            read(prompts[0]) if prompts else b"",
            read(config) if os.path.exists(config) else b"",
            read(partials[0]) if partials else b"",
        ]
        write("workspace", SEPARATOR.join(parts))
        counts["workspace"] += 1

print(f"seeds: {counts['template']} template, {counts['workspace']} workspace")
