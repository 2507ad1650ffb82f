TEXT = {
    "signs": (
        "Signs to notice",
        "Changes that can mean someone is being drawn into extremism, and what they do not mean.",
        """No single sign proves anything. Many young people try out strong opinions, and that is part of growing up. What matters is change that lasts and that narrows their life.

## Changes you may notice
- They drop old friends and spend their time with a new group, online or offline.
- They see the world as "us" against "them" and talk about others with contempt.
- They say violence is justified, or admire people who have used it.
- They become secretive about their phone, the sites they use or where they go.
- Their talk is full of words, symbols or videos that are new to you.
- They withdraw from family, school or hobbies they used to enjoy.

## What you can do now
Write down what you have noticed and when. Stay in contact, even when it is hard. You do not have to be sure before you talk to us: worry is reason enough.""",
    ),
    "talking": (
        "Talking with them",
        "How to keep the conversation open with someone you are worried about.",
        """Your relationship is the most important thing you have. People rarely leave extremist ideas because they lose an argument, but many do because someone close kept listening.

## Things that often help
- Ask open questions and listen to the answers: "What do you like about them?"
- Show that you care about the person, even when you reject the ideas.
- Stay calm. Anger and ridicule tend to push them closer to the group.
- Talk about feelings and experiences, not only facts.
- Share your own values honestly, without lecturing.
- Take breaks when the talk heats up, and come back to it.

## Look after yourself too
Worry wears you down. Talk with someone you trust, or with us. A counsellor can help you plan a difficult conversation.""",
    ),
    "contact": (
        "What happens when you contact us",
        "Chat, leave a message or call: this is how it goes.",
        """You can chat during opening hours, or leave a message at any time. You do not have to give your name or anyone else's.

## Step by step
- You start a chat or write a message. You get a return code: keep it, it is the only way back to the conversation.
- A trained counsellor answers. In a chat you usually wait only a few minutes; a message is usually answered within a day.
- You tell as much or as little as you want. The counsellor listens, asks questions and thinks it through with you.
- If it helps, the counsellor tells you about services near you, such as family counselling or youth services. You decide whether to contact them.
- You can come back with your return code as many times as you like.

We are a non-governmental organisation, not the police or any other authority. The conversation is deleted after a period set by our rules; the page shows when.""",
    ),
    "safety": (
        "Anonymity, and when a life is in danger",
        "What we keep to ourselves, and the rare cases where we must act.",
        """## Your anonymity
You can stay anonymous. We do not ask for your name, and we do not record the address of your device. What you write is stored encrypted and deleted after the retention period. Counsellors keep notes without names.

## Confidentiality and its limits
What you tell us stays with us. There are rare exceptions, and we tell you about them before you share details:
- If someone's life or health is in immediate danger, we advise calling the emergency number 112, and we may contact the police ourselves. Where possible we agree on this with you first.
- Finnish law requires everyone to report a planned serious crime in time to prevent it. This overrides confidentiality.
- If a child may need child welfare, we can consult child welfare without naming the child. We tell you if we think a notification is needed.

Any such step is decided together with a supervisor, and it is recorded.

## In an emergency
Call 112 at once if someone is in immediate danger.""",
    ),
    "professionals": (
        "For professionals",
        "Teachers, social workers, health-care staff, youth workers and others who work with young people.",
        """You can consult us about a young person or a family you are worried about, without naming them.

## We can help you
- think through what you have seen and how worrying it is;
- plan how to talk with the young person and the family;
- find the right services and multi-agency partners in your area;
- understand the difference between radical opinions and a risk of violence.

## Your own duties stay yours
Consulting us does not replace your own obligations. Social-service, health-care and school staff must notify child welfare when a child may need it, and that notification cannot be made anonymously. You can consult child welfare first without naming the child. If there is immediate danger, call 112.

Chat with us during opening hours or leave a message at any time.""",
    ),
}
