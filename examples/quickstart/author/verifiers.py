"""The quickstart's instructions and, per instruction, the four verifier answers the "author"
model gives (verification function + test cases), written the way chat models really answer.

Each answer is (style, source, cases). `style` names how render.py lays the answer out:
  fenced | bare | notag            where the JSON sits (```json block with prose / bare / ``` block)
  +pyliterals                     True/False instead of true/false for the expected outputs
  +escapes                        \\' escapes inside JSON strings
  +raw_backslash                  regex backslashes not doubled (\\S, \\s: invalid JSON escapes)
  +double_escaped                 the source's line breaks written as literal backslash-n
  +lines                          the source given as a list of lines
  +no_func                        "func": null (bare) or no "func" key at all (fenced)
  two_blocks                      a first attempt, then a corrected second block
  python_block                    the function in a ```python block, the tests as prose
  prose                           no code at all
  langdetect_demo                 a ```python block that calls langdetect but defines no evaluate
Expected outputs given as strings ("True", "false") are the "True"-strings quirk.

What each instruction is meant to show (the funnel of scripts/quickstart):
  lower       a test case most functions disagree with; a duplicate function; helpers
  title       a case at the boundary (1 of 3 functions right), a regex with \\s unescaped
  short       a syntax error (missing colon)
  bold        a function importing nltk inside evaluate (an error on every case)
  capitals    two cases with the same input and opposite outputs, both at exactly 0.5
  bullets     a function that loops forever on inputs with blank lines (0.5 of kept cases)
  spanish     no usable verifier: a refusal, a langdetect demo without evaluate, cases only
  five        consistent functions for a misread instruction: back-translation contradicts
  url         functions that return a match object or a list instead of a bool, and one that
              imports a module the sandbox does not have (validators)
"""

INSTRUCTIONS = {
    "lower": "Write your entire answer in lowercase letters; no capital letters are allowed.",
    "ending": 'End your answer with the exact sentence "Is there anything else I can help with?"',
    "commas": "Do not use any commas in your answer.",
    "title": "Give your answer a title wrapped in double angular brackets, such as <<My Title>>.",
    "short": "Keep the answer shorter than 50 words.",
    "bold": "Highlight at least two phrases with markdown bold, like **this**.",
    "capitals": "Write the entire response in capital letters.",
    "bullets": 'Present the answer as exactly three bullet points that start with "* ".',
    "postscript": 'Finish your response with a postscript starting with "P.S."',
    "one_word": "Answer with exactly one word.",
    "spanish": "Write your answer in Spanish.",
    "five": "Write at least five sentences in your reply.",
    "url": "Include a URL in your answer that starts with http:// or https://.",
}

ENDING = "Is there anything else I can help with?"

LOWER_1 = r'''def evaluate(response):
    return response == response.lower()
'''

VERIFIERS = {
    "lower": [
        ("fenced", LOWER_1, [
            ("this is all lowercase, with punctuation!", True),
            ("This starts with a capital.", False),
            ("numbers like 42 are fine", True)]),
        ("bare+pyliterals", r'''def has_upper(text):
    return any(ch.isupper() for ch in text)


def evaluate(response):
    return not has_upper(response)
''', [("hello world", True), ("Hello World", False), ("an ACRONYM inside", False),
      ("good morning. I am fine.", True)]),
        ("notag+escapes", r'''import re

def evaluate(response):
    return re.search(r'[A-Z]', response) is None
''', [("all quiet on the western front", True), ("ALL CAPS", False), ("mixed Case", False)]),
        ("fenced", LOWER_1, [("i like turtles", "True"), ("I like turtles", "False")]),
    ],
    "ending": [
        ("fenced", r'''def evaluate(response):
    return response.strip().endswith("Is there anything else I can help with?")
''', [("Here is the answer. Is there anything else I can help with?", True),
      ("Is there anything else I can help with? Here is more text.", False),
      ("Here is the answer.", False)]),
        ("two_blocks", r'''def evaluate(response):
    return response.rstrip().endswith("Is there anything else I can help with?")
''', [("Sure thing.\nIs there anything else I can help with?\n", True),
      ("Is there anything else I can help with", False)]),
        ("bare+pyliterals", r'''TARGET = "Is there anything else I can help with?"


def normalize(text):
    return text.strip()


def evaluate(response):
    return normalize(response).endswith(TARGET)
''', [("Done! Is there anything else I can help with?", True),
      ("done! is there anything else i can help with?", False)]),
        ("fenced+double_escaped", r'''def evaluate(response):
    text = response.strip()
    return text.endswith('Is there anything else I can help with?')
''', [("All set. Is there anything else I can help with?", "True"), ("All set.", "False")]),
    ],
    "commas": [
        ("bare", r'''def evaluate(response):
    return ',' not in response
''', [("No commas here at all.", True), ("One, two, three.", False), ("", True)]),
        ("fenced+escapes", r'''def evaluate(response):
    return response.count(',') == 0
''', [("Just a plain sentence.", True), ("Well, this one has a comma.", False)]),
        ("fenced", r'''import re


def count_commas(text):
    return len(re.findall(r',', text))


def evaluate(response):
    return count_commas(response) == 0
''', [("A list: apples and pears.", True), ("apples, pears", False)]),
        ("notag", r'''def evaluate(response):
    return ',' not in response and '\uff0c' not in response
''', [("Nothing to see here", "true"), ("Something, to see", "false")]),
    ],
    "title": [
        ("fenced", r'''import re

def evaluate(response):
    return re.search(r'<<[^<>]+>>', response) is not None
''', [("<<My Day>>\nIt was fine.", True), ("My Day\nIt was fine.", False), ("<<>> empty title", False)]),
        ("bare+pyliterals", r'''def evaluate(response):
    first = response.strip().split('\n')[0].strip()
    return first.startswith('<<') and first.endswith('>>') and len(first) > 4
''', [("<<A Title>>\nBody text.", True), ("Body text first.\n<<A Title>>", False)]),
        ("notag", r'''def evaluate(response):
    start = response.find('<<')
    end = response.find('>>', start + 2)
    return start != -1 and end != -1 and end > start + 2
''', [("<<Title>> text", True), ("no title", False)]),
        ("fenced+raw_backslash", r'''def evaluate(response):
    import re
    return bool(re.match(r'\s*<<[^>]+>>', response))
''', [("  <<Leading spaces>> then text", True), ("Title without brackets", False)]),
    ],
    "short": [
        ("fenced", r'''def evaluate(response):
    return len(response.split()) < 50
''', [("Short answer.", True), (" ".join(["word"] * 60), False), (" ".join(["word"] * 49), True)]),
        ("bare", r'''def evaluate(response)
    return len(response.split()) < 50
''', [("A tiny reply.", True)]),
        ("fenced", r'''import re

def evaluate(response):
    words = re.findall(r"\b\w+\b", response)
    return len(words) < 50
''', [("This is fine.", True), (" ".join(["word"] * 50), False)]),
        ("fenced", r'''def evaluate(response):
    count = 0
    for token in response.split():
        count += 1
    return count <= 49
''', [("Brief and to the point.", "True"), (" ".join(["long"] * 75), "False")]),
    ],
    "bold": [
        ("fenced", r'''import re

def evaluate(response):
    return len(re.findall(r'\*\*[^*]+\*\*', response)) >= 2
''', [("**One** and **two**", True), ("Only **one** here", False), ("No bold at all", False)]),
        ("notag", r'''def evaluate(response):
    return response.count('**') >= 4
''', [("**a** and **b**", True), ("**a**", False)]),
        ("fenced", r'''def evaluate(response):
    import nltk
    tokens = nltk.word_tokenize(response)
    return sum(1 for t in tokens if t.startswith('**')) >= 2
''', [("**first** then **second**", True), ("plain", False)]),
        ("bare+pyliterals", r'''import re


def count_bold(text):
    return len(re.findall(r'\*\*(.+?)\*\*', text))


def evaluate(response):
    return count_bold(response) >= 2
''', [("Use **bold** for **emphasis**.", True), ("Use *italics* only.", False)]),
    ],
    "capitals": [
        ("fenced", r'''def evaluate(response):
    return response == response.upper()
''', [("HELLO THERE!", True), ("Hello there!", False), ("1234 !!", True)]),
        ("bare", r'''def evaluate(response):
    letters = [c for c in response if c.isalpha()]
    return len(letters) > 0 and all(c.isupper() for c in letters)
''', [("ALL GOOD", True), ("ALMOST all good", False), ("1234 !!", False)]),
        ("notag", r'''def evaluate(response):
    return response.isupper()
''', [("SHOUTING", True), ("whisper", False)]),
        ("fenced", r'''def evaluate(response):
    return not any(c.islower() for c in response)
''', [("NO LOWERCASE HERE.", "True"), ("some lowercase", "False")]),
    ],
    "bullets": [
        ("fenced", r'''def evaluate(response):
    bullets = [line for line in response.split('\n') if line.strip().startswith('* ')]
    return len(bullets) == 3
''', [("* one\n* two\n* three", True), ("- one\n- two\n- three", False)]),
        ("fenced", r'''def evaluate(response):
    lines = response.split('\n')
    count = 0
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            continue
        if line.startswith('* '):
            count += 1
        i += 1
    return count == 3
''', [("* a\n\n* b\n\n* c", True), ("Intro\n\n* a\n* b", False)]),
        ("bare+pyliterals", r'''def is_bullet(line):
    return line.lstrip().startswith('* ')


def evaluate(response):
    return sum(1 for line in response.splitlines() if is_bullet(line)) == 3
''', [("Here you go:\n\n* first\n* second\n* third", True), ("* one\n* two", False)]),
        ("notag", r'''def evaluate(response):
    items = [l for l in response.splitlines() if l.startswith('* ')]
    return len(items) == 3
''', [("* x\n* y\n* z\n\nHope this helps!", "True"), ("Nothing here", "False")]),
    ],
    "postscript": [
        ("fenced", r'''def evaluate(response):
    paragraphs = [p.strip() for p in response.strip().split('\n\n') if p.strip()]
    return bool(paragraphs) and paragraphs[-1].startswith('P.S.')
''', [("Main text.\n\nP.S. See you soon.", True), ("Main text only.", False)]),
        ("bare+escapes", r'''def evaluate(response):
    return 'P.S.' in response
''', [("Thanks!\nP.S. Bring snacks.", True), ("No postscript", False)]),
        ("fenced", r'''import re

def evaluate(response):
    return re.search(r'(^|\n)P\.S\.', response) is not None
''', [("Body\nP.S. extra", True), ("The P.S. is missing", False)]),
        ("python_block", r'''def evaluate(response):
    last = response.strip().split('\n')[-1]
    return last.startswith('P.S.')
''', []),
    ],
    "one_word": [
        ("fenced", r'''def evaluate(response):
    return len(response.split()) == 1
''', [("Yes", True), ("Yes indeed", False), ("  Absolutely.  ", True)]),
        ("fenced", r'''import string

def evaluate(response):
    words = response.strip().strip(string.punctuation).split()
    return len(words) == 1
''', [("Hello!", True), ("Hello there!", False)]),
        ("bare+pyliterals", r'''def evaluate(response):
    return len(response.strip().split(' ')) == 1 and '\n' not in response.strip()
''', [("Okay", True), ("Two words", False)]),
        ("bare+lines", r'''def evaluate(response):
    tokens = response.split()
    return len(tokens) == 1
''', [("Maybe.", True), ("", False)]),
    ],
    "spanish": [
        ("prose", "", []),
        ("langdetect_demo", "", []),
        ("bare+no_func", "", [("Hola, \u00bfc\u00f3mo est\u00e1s? Espero que bien.", True),
                              ("Hello, how are you?", False)]),
        ("fenced+no_func", "", [("El perro come en la casa de mi abuela.", True),
                                ("The dog eats at my grandmother's house.", False)]),
    ],
    "five": [
        ("fenced", r'''import re

def evaluate(response):
    sentences = [s for s in re.split(r'[.!?]+', response) if s.strip()]
    return len(sentences) < 5
''', [("One. Two. Three.", True), ("One. Two. Three. Four. Five.", False)]),
        ("bare", r'''def split_sentences(text):
    import re
    return [s for s in re.split(r'(?<=[.!?])\s+', text.strip()) if s]


def evaluate(response):
    return len(split_sentences(response)) < 5
''', [("Short. Reply.", True), ("A. B. C. D. E. F. G.", False)]),
        ("notag", r'''def evaluate(response):
    count = response.count('.') + response.count('!') + response.count('?')
    return count < 5
''', [("Fine.", True), ("Yes. No. Maybe. Perhaps. Never.", False)]),
        ("fenced", r'''import re

def evaluate(response):
    return len(re.findall(r'[^.!?]+[.!?]', response)) < 5
''', [("I agree. It works.", "True"), ("It is. It was. It will. It can. It must.", "False")]),
    ],
    "url": [
        ("fenced+raw_backslash", r'''import re

def evaluate(response):
    return re.search(r'https?://\S+', response)
''', [("See https://example.com for details.", True), ("No link here.", False)]),
        ("bare", r'''import re

def evaluate(response):
    urls = re.findall(r'https?://[^\s]+', response)
    return urls
''', [("Visit http://test.org today", True), ("www.example.com only", False)]),
        ("fenced", r'''import validators

def evaluate(response):
    return any(validators.url(word) for word in response.split())
''', [("Link: https://python.org", True), ("No URL", False)]),
        ("notag", r'''def evaluate(response):
    return 'http://' in response or 'https://' in response
''', [("Docs: https://docs.python.org", True), ("ftp://files.example.com", False)]),
    ],
}

# Instructions that keep their verifiers use these back-translations (see answers.py); the
# "five" functions check for FEWER than five sentences, and their back-translation says so.
BACK_TRANSLATIONS = {
    "lower": ["Write the whole response using only lowercase letters.",
              "Make sure the response contains no uppercase letters."],
    "ending": ['End the response with the sentence "Is there anything else I can help with?"',
               'The last words of the reply must be "Is there anything else I can help with?"'],
    "commas": ["Do not include any commas in the response.", "Write the response without a single comma."],
    "title": ["Include a title enclosed in double angle brackets, like <<Title>>.",
              "Start the response with a title wrapped in << and >>."],
    "short": ["Keep the response under 50 words.", "Use fewer than fifty words."],
    "bold": ["Put at least two phrases in bold using double asterisks.",
             "Use markdown bold (**text**) for two or more phrases."],
    "capitals": ["Write the response entirely in uppercase letters.", "Do not use any lowercase letters."],
    "bullets": ['Format the response as exactly three bullet points, each beginning with "* ".',
                'Give exactly three lines that start with "* ".'],
    "postscript": ['End the response with a postscript that begins with "P.S."',
                   'Add a final paragraph starting with "P.S."'],
    "one_word": ["Respond with a single word.", "Answer using only one word."],
    "five": ["Write fewer than five sentences.", "Keep the reply to at most four sentences."],
    "url": ["Include a link that starts with http:// or https://.", "Mention a web address in the response."],
    "spanish": ["Write the response in Spanish.", "Answer in Spanish."],
}
