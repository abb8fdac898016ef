"""Hand-written answers to the quickstart's query pool, the raw material of every response.

Each eligible query of ../queries.jsonl has a long answer (over 50 words, with commas and
capitals, the way a chat model answers when no format is asked for), a short answer of exactly
three sentences (under 50 words), a title, a one-word answer and a postscript. The response
writer (responses.py) bends these into answers that follow an instruction, or forget it.
"""

ANSWERS = {
    "What are some good ways to stay focused when working from home?": {
        "long": (
            "Staying focused at home is mostly about structure. Set up a dedicated workspace, even if it is "
            "just one corner of a table, so your brain links that spot with work. Keep regular hours, get "
            "dressed as if you were going out, and plan your day the evening before. Work in focused blocks "
            "of 25 to 50 minutes, then take a short break away from the screen. Finally, silence "
            "notifications, keep your phone in another room, and tell the people you live with when you "
            "need quiet time."
        ),
        "short": [
            "Set up a dedicated workspace and keep regular hours.",
            "Work in focused blocks with short breaks in between.",
            "Silence notifications and keep your phone out of reach.",
        ],
        "title": "Focus at Home",
        "word": "Routine.",
        "ps": "P.S. A short walk before you start can replace the commute that used to wake you up.",
    },
    "How do I make a sourdough starter from scratch?": {
        "long": (
            "Making a sourdough starter takes about a week and only two ingredients: flour and water. On day "
            "one, mix 50 grams of whole wheat flour with 50 grams of lukewarm water in a clean jar, cover it "
            "loosely, and leave it at room temperature. Every 24 hours, discard about half and feed it with "
            "fresh flour and water in the same amounts. After three to five days you should see bubbles, a "
            "tangy smell, and the starter rising after each feeding. It is ready when it doubles within 4 to "
            "8 hours of a feed."
        ),
        "short": [
            "Mix equal weights of whole wheat flour and water in a jar.",
            "Discard half and feed it fresh flour and water every day.",
            "It is ready when it doubles within a few hours of feeding.",
        ],
        "title": "Your First Sourdough Starter",
        "word": "Patience.",
        "ps": "P.S. Give your starter a name; everyone does, and it makes the daily feeding more fun.",
    },
    "Why is the sky blue during the day and red at sunset?": {
        "long": (
            "The sky is blue because of Rayleigh scattering. Sunlight contains every color, but the tiny "
            "molecules of nitrogen and oxygen in the air scatter short wavelengths, like blue and violet, "
            "much more strongly than long ones. That scattered blue light reaches your eyes from every "
            "direction, so the whole sky looks blue. At sunset, the light travels through far more air "
            "before it reaches you. Most of the blue is scattered away along the path, and the remaining "
            "light is dominated by red, orange, and yellow."
        ),
        "short": [
            "Air molecules scatter blue light much more than red light.",
            "During the day that scattered blue fills the whole sky.",
            "At sunset the light crosses more air so mostly red and orange reach us.",
        ],
        "title": "Why the Sky Changes Color",
        "word": "Scattering.",
        "ps": "P.S. The sky is not violet because our eyes are less sensitive to violet light.",
    },
    "Write a short bedtime story about a turtle who wants to fly.": {
        "long": (
            "Once upon a time, in a quiet pond at the edge of the forest, there lived a small turtle named "
            "Tilly. Every evening she watched the swallows dive and swirl above the water, and she wished, "
            "more than anything, that she could fly. One night, a kind old owl landed on her rock. \"Climb on "
            "my back,\" he said, and together they rose above the trees. Tilly saw the pond shining like a "
            "silver coin under the moon. When they landed, she smiled, yawned, and fell asleep, dreaming of "
            "stars."
        ),
        "short": [
            "Tilly the turtle dreamed of flying with the swallows.",
            "One night a kind owl carried her above the moonlit forest.",
            "She came home happy and fell asleep dreaming of stars.",
        ],
        "title": "Tilly and the Moonlit Flight",
        "word": "Dreams.",
        "ps": "P.S. Ask your little one where they would fly if they could, and let them finish the story.",
    },
    "Give me tips for my first job interview at a software company.": {
        "long": (
            "Congratulations on landing the interview! First, research the company: read its website, recent "
            "blog posts, and the job description, and be ready to explain why you want to work there. "
            "Second, review the basics of data structures and algorithms, and practice explaining your "
            "thinking out loud while you solve a problem. Third, prepare two or three short stories about "
            "projects you worked on, including what went wrong and what you learned. Finally, bring a few "
            "thoughtful questions about the team, the code review process, and how new hires are supported."
        ),
        "short": [
            "Research the company and be ready to say why you want the job.",
            "Practice solving coding problems while thinking out loud.",
            "Prepare a few stories about your projects and questions for the team.",
        ],
        "title": "Acing Your First Tech Interview",
        "word": "Prepare.",
        "ps": "P.S. Send a short thank-you email within a day of the interview.",
    },
    "How can I improve my sleep without taking medication?": {
        "long": (
            "Good sleep usually comes from consistent habits. Go to bed and wake up at the same time every "
            "day, including weekends, so your body clock stays stable. Keep your bedroom dark, quiet, and "
            "slightly cool, and reserve the bed for sleep. Avoid caffeine after lunch, heavy meals late in "
            "the evening, and alcohol close to bedtime. Spend the last hour before bed away from bright "
            "screens, and try a calming routine such as reading, stretching, or a warm shower. If you cannot "
            "fall asleep after 20 minutes, get up and do something quiet until you feel drowsy."
        ),
        "short": [
            "Keep the same sleep and wake times every day.",
            "Make your bedroom dark and cool and avoid screens before bed.",
            "Cut caffeine after lunch and build a calming evening routine.",
        ],
        "title": "Sleeping Better Naturally",
        "word": "Consistency.",
        "ps": "P.S. Morning daylight helps too; a ten-minute walk after waking sets your body clock.",
    },
    "Explain recursion with an everyday example.": {
        "long": (
            "Recursion is when something is defined in terms of a smaller version of itself. Imagine you are "
            "standing in a long line and want to know your position, but you cannot see the front. You ask "
            "the person ahead of you, \"What is your position?\" They do not know either, so they ask the "
            "person ahead of them, and so on. Eventually the question reaches the first person, who simply "
            "answers, \"One.\" Each person then adds one to the answer they received and passes it back. "
            "That first person is the base case, and each question is a recursive call."
        ),
        "short": [
            "Recursion solves a problem by handing a smaller copy of it to itself.",
            "In a queue each person asks the one ahead for their position and adds one.",
            "The first person just says one and that is the base case.",
        ],
        "title": "Recursion in a Queue",
        "word": "Self-reference.",
        "ps": "P.S. Russian nesting dolls are another classic picture of recursion.",
    },
    "What should I pack for a week-long camping trip in the mountains?": {
        "long": (
            "For a week in the mountains, pack for changing weather. Bring a sturdy tent, a sleeping bag "
            "rated for near-freezing nights, and an insulated sleeping pad. For clothing, use layers: "
            "moisture-wicking base layers, a fleece or down jacket, a waterproof shell, warm socks, a hat, and "
            "broken-in hiking boots. Pack a stove with enough fuel, easy meals for seven days, a water "
            "filter, and a first aid kit. Don't forget a map, a headlamp with spare batteries, sunscreen, and "
            "a bag to carry out your trash."
        ),
        "short": [
            "Bring a good tent and a sleeping bag for cold nights.",
            "Pack layered clothing with a waterproof jacket and broken-in boots.",
            "Add a stove and a water filter and a first aid kit.",
        ],
        "title": "The Mountain Camping Checklist",
        "word": "Layers.",
        "ps": "P.S. Check the forecast and tell someone your route before you leave.",
    },
}
