from kb.cli import run

run()
