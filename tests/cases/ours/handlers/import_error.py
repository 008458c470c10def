"""A module that cannot be imported: its top level loads a module that does not exist (Runtime.ImportModuleError)."""

import importlib

importlib.import_module("no_such_module_for_study_cases")


def handler(event, context):
    return {"unreachable": True}
