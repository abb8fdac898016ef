"""Hand-written English sentences, grouped by topic, that responses are assembled from.

Responses built from a word salad would make regexes and counters behave unlike they do
on model output (no real sentence boundaries, no punctuation mix); recombining real sentences
keeps the shape of the text realistic while the generator stays deterministic.
"""

TOPICS = {
    "cooking": [
        "A good risotto needs patience more than skill.",
        "Toast the rice in butter until the edges turn translucent, then add the wine.",
        "Stock should be warm, otherwise every ladle cools the pan and slows the cooking.",
        "Stir often, but not constantly; the starch needs a moment to release.",
        "Most home cooks add too much salt too early, before the liquid has reduced.",
        "Parmesan goes in at the very end, off the heat, with a knob of cold butter.",
        "If you are cooking for children, leave out the wine and use a splash of lemon juice instead.",
        "Leftovers make excellent arancini the next day.",
        "Fresh herbs such as parsley, basil and thyme brighten almost any dish.",
        "Bread dough is ready when it springs back slowly after you press it with a finger.",
        "A cast-iron pan holds heat well, which is why it gives steak such a deep crust.",
        "Why do onions make us cry? They release a sulfur compound when their cells are cut.",
    ],
    "travel": [
        "Kyoto is at its most beautiful in early April, when the cherry trees bloom.",
        "The train from Tokyo takes a little over two hours and costs about 14,000 yen.",
        "Book accommodation early if you plan to visit during a festival.",
        "Many temples close at five in the evening, so start your day early.",
        "Walking the Philosopher's Path takes about thirty minutes at a relaxed pace.",
        "Travel insurance is worth the small cost, especially for long trips.",
        "Pack light: most hotels offer laundry service for a modest fee.",
        "Lisbon's trams climb hills that would exhaust even a seasoned hiker.",
        "A rail pass can save money, but only if you travel almost every day.",
        "Have you ever wondered why airlines overbook their flights?",
        "Local markets are the best place to taste regional food at fair prices.",
        "Always keep a copy of your passport separate from the original.",
    ],
    "software": [
        "A unit test should check one behaviour and say clearly what it expects.",
        "Caching can hide a slow query, but it rarely fixes the underlying problem.",
        "The function returns None when the key is missing, which callers often forget.",
        "Use a virtual environment so that each project keeps its own dependencies.",
        "Code review is less about finding bugs than about sharing knowledge.",
        "Premature optimisation wastes time that could be spent on correctness.",
        "Logging every request at debug level will fill the disk within a day.",
        "Version control lets a team experiment without fear of losing work.",
        "The API responds with HTTP 429 when the client exceeds its rate limit.",
        "Is it better to write the tests first? Many teams find that it clarifies the design.",
        "A good commit message explains why the change was made, not only what changed.",
        "Regular expressions are powerful, but a parser is often easier to maintain.",
    ],
    "history": [
        "The printing press spread across Europe within a few decades of its invention.",
        "In 1492, Columbus sailed west hoping to reach Asia.",
        "The Roman aqueducts carried water over distances of more than fifty miles.",
        "Historians still debate the causes of the fall of the Western Roman Empire.",
        "The Industrial Revolution began in Britain in the late eighteenth century.",
        "Steam engines transformed both manufacturing and transport.",
        "Letters from ordinary soldiers tell us more about daily life than official reports.",
        "The Silk Road was never a single road but a network of routes.",
        "Paper money first appeared in China during the Tang dynasty.",
        "What would the world look like if the telegraph had never been invented?",
        "The Renaissance revived interest in classical art and learning.",
        "Many medieval castles were built on hills for both defence and visibility.",
    ],
    "health": [
        "Adults need between seven and nine hours of sleep each night.",
        "A short walk after meals helps regulate blood sugar.",
        "Drinking water before you feel thirsty is a simple habit worth building.",
        "Strength training twice a week benefits people of every age.",
        "Stress affects digestion, sleep and even the immune system.",
        "Stretching before exercise is less important than a gentle warm-up.",
        "Fruit and vegetables should fill half of your plate at each meal.",
        "Consult a doctor before starting any new supplement.",
        "Regular breaks from the screen reduce eye strain.",
        "How much exercise is enough? The usual advice is 150 minutes a week.",
        "Laughter really does lower stress hormones, at least for a while.",
        "Meditation for ten minutes a day can improve focus.",
    ],
    "business": [
        "A small business should track its cash flow every week, not every quarter.",
        "Customers remember how a company handled their complaint more than the complaint itself.",
        "The marketing budget grew by 12% last year while sales rose by only 3%.",
        "Hiring slowly and firing quickly is common advice, though rarely followed.",
        "A clear pricing page reduces the number of support requests.",
        "Remote teams need written decisions more than office teams do.",
        "The startup raised $2.5 million in its seed round.",
        "Every meeting should end with a list of owners and deadlines.",
        "Could a four-day week improve productivity? Several trials suggest it might.",
        "Negotiation starts long before the parties sit down at the table.",
        "Good managers give credit in public and criticism in private.",
        "The quarterly report is due on 2024-03-31.",
    ],
    "nature": [
        "Bees communicate the location of flowers through a waggle dance.",
        "Oak trees can live for more than a thousand years.",
        "The Amazon rainforest produces a large share of the planet's oxygen.",
        "Octopuses have three hearts and blue blood.",
        "Autumn leaves change colour as chlorophyll breaks down.",
        "Coral reefs cover less than one percent of the ocean floor yet host a quarter of marine species.",
        "Wolves were reintroduced to Yellowstone in 1995, changing the whole ecosystem.",
        "A single tree can absorb about twenty kilograms of carbon dioxide a year.",
        "Why do birds migrate? Mostly to follow food and suitable breeding grounds.",
        "The quiet of a forest at dawn is never truly quiet.",
        "Glaciers store about seventy percent of the world's fresh water.",
        "Quokkas are small marsupials that seem to smile for every photograph.",
    ],
    "education": [
        "Students learn best when they retrieve information rather than reread it.",
        "A quiz at the start of a lesson helps connect new ideas to old ones.",
        "Homework is most useful when it practises something already taught.",
        "Reading aloud to young children builds vocabulary quickly.",
        "Teachers spend a surprising amount of time on administration.",
        "Spaced repetition beats cramming for long-term memory.",
        "Group projects teach cooperation, but they need clear roles.",
        "What makes a great teacher? Patience, clarity and genuine curiosity.",
        "Learning a second language is easier when you use it every day.",
        "Feedback should be specific, timely and kind.",
        "Many universities now offer free online courses.",
        "Mathematics anxiety often starts with a single bad experience.",
    ],
}

TITLES = [
    "The Art of Risotto", "A Week in Kyoto", "Writing Better Tests", "Lessons from History",
    "Small Habits, Big Changes", "Running a Small Business", "Notes from the Forest",
    "How We Learn", "A Guide for Beginners", "Why It Matters", "The Quiet Morning",
    "Ten Things I Wish I Knew",
]

INTROS = [
    "Sure! Here is my answer.", "Certainly. Below is a short overview.",
    "Here's a response that follows your instructions:", "Great question!",
    "Of course, here is what you asked for.", "Absolutely, let me explain.",
    "I'd be happy to help with that.", "Here you go:",
]

CLOSINGS = [
    "I hope this helps!", "Let me know if you need more detail.",
    "Is there anything else I can help with?", "Thanks for reading.",
    "Feel free to ask follow-up questions.", "That's all for now.",
]

FOREIGN = [
    "C'est la vie, comme on dit en français.", "Das ist eine sehr gute Frage.",
    "¿Dónde está la estación de tren?", "これは日本語の文です。", "Привет, как дела?",
    "Ça coûte vingt-cinq euros, s'il vous plaît.",
]

EMOJI = ["\U0001F600", "\U0001F680", "\u2764\ufe0f", "\U0001F44D", "\u2728", "\U0001F4DA"]

PLACEHOLDERS = ["[name]", "[address]", "[date]", "[company]", "[phone number]", "[city]"]

NAMES = ["Alice", "Bob", "Carla", "Dmitri", "Eun-ji", "Farah", "Gustavo", "Hiro", "Ingrid"]
