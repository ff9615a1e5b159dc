# The one error type for bad input: every refusal names the file (or folder) it is about, so the command can
# print a single line that says what to fix. Raised before anything is written.


class InputError(Exception):
    def __init__(self, path, message):
        super().__init__(f"{path}: {message}")
        self.path = str(path)
