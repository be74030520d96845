"""Quote finding, attribution (parse, lexicon, German), titles, keys and the cluster views, on small inline texts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import schemas
from tasks.entities import canonicalise, mentions_from_spacy
from tasks.nlp import NlpOptions, load_nlp
from tasks.quotes import attribute, find_quotes, is_nickname, is_title, quote_key
from tasks.records import Mention

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures")


def _mentions(text: str, names: list[tuple[str, str]]) -> list[Mention]:
    out = []
    for name, label in names:
        start = text.find(name)
        while start >= 0:
            out.append(Mention(name, label, start, start + len(name)))
            start = text.find(name, start + 1)
    return canonicalise(out)


@pytest.fixture(scope="module")
def nlp():
    opts = NlpOptions()
    return load_nlp(opts.model, opts.fallback_model, opts.exclude)


def _parsed(nlp, text: str):
    """Quotes of `text` attributed the way the pipeline does it: spaCy analysis and its entity mentions."""
    sdoc = nlp(text)
    qs = find_quotes(text)
    attribute(text, qs, canonicalise(mentions_from_spacy(sdoc)), analysis=sdoc)
    return qs


def _parsed_quote(nlp, text: str, quote: str):
    """The quote of `text` whose words are `quote`, attributed as by `_parsed`."""
    return next(q for q in _parsed(nlp, text) if q.text == quote)


# -- finding ---------------------------------------------------------------------------------------------------


def test_finds_full_and_partial_quotes_with_offsets():
    text = "“It must end now,” he wrote.\n\nShe said Russia was not “ready” for peace."
    qs = find_quotes(text)
    assert [(q.text, q.kind) for q in qs] == [("It must end now,", "full"), ("ready", "partial")]
    for q in qs:
        assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("He said “this never closes.\n\nLater she said “this one is fine,” and left.", ["this one is fine,"]),
        ("A stray ” closer, then “a real quote” here.", ["a real quote"]),
        ("“One opener, “then another,” he said.", ["then another,"]),
    ],
)
def test_unbalanced_mark_costs_at_most_one_quote(text, expected):
    assert [q.text for q in find_quotes(text)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a closing mark where an opening one belongs (straight quotes turned the wrong way)
        ("As Politico reported, ” … if the primary were held tonight, Trump would win.” Polls agree.",
         ["… if the primary were held tonight, Trump would win."]),
        ("He says,” there are a lot of people who never get listened to.”", ["there are a lot of people who never get listened to."]),
        # a doubled opener
        ("“”You don’t win the nomination by how many states you win,” Rubio responded.",
         ["You don’t win the nomination by how many states you win,"]),
        # markup attributes are not quotes
        ("<tweet author=”@dmartosko” datetime=”2016-09-01”>Giuliani is here</tweet>", []),
    ],
)
def test_marks_turned_the_wrong_way(text, expected):
    assert [q.text for q in find_quotes(text)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # the same marks nested: the inner quote is part of the outer one
        ("Cohen wrote: “Beyond the growing number of “cell phone only” households, the misfire has older causes.”",
         ["Beyond the growing number of “cell phone only” households, the misfire has older causes."]),
        # and an outer quote left open runs over to the next paragraph that opens with “
        ("Ward stated:\n\n“The department isn’t about “Equal Justice” anymore. It is about politics.\n\n“Period.”",
         ["The department isn’t about “Equal Justice” anymore. It is about politics.", "Period."]),
    ],
)
def test_nested_quotes_with_the_same_marks(text, expected):
    assert [q.text for q in find_quotes(text)] == expected


def test_colon_inside_a_quote_introduces_no_new_speaker(nlp):
    # "Here they are:" is the quoted speaker's own words: the paragraphs after it go on being his
    text = ("Morton Blackwell has endorsed Ted Cruz.\n\nHe then listed the qualities of a nominee:\n\n"
            "“In the piece I wrote last November, I discussed several factors. Here they are:\n\n"
            "“Has the candidate a record of personal activism?\n\n"
            "“Is the candidate surrounded by people notable for their commitment?”")
    qs = _parsed(nlp, text)
    assert [q.speaker_mention for q in qs] == ["He", "He", "He"]
    assert {q.speaker for q in qs} == {"Morton Blackwell"}


def test_adjective_quoted_on_a_speech_noun_is_the_describers(nlp):
    # "Trump’s “divisive” … comments": the adjective describes the comments; the one who states it speaks
    text = ("In an interview with two hosts, the Democratic presidential candidate stated that Trump’s “divisive” "
            "and “mean-spirited” comments do not fit with the man she knew.")
    q = _parsed_quote(nlp, text, "divisive")
    assert q.speaker_mention == "the Democratic presidential candidate"


def test_participle_on_an_object_does_not_make_it_the_speaker(nlp):
    # "urging those calling for …": "those" is whom he urges, not who speaks the quote under "calling"
    text = ("“Oh, let him make that decision,” said Vice President Joe Biden, urging those calling for the senator’s "
            "withdrawal to “give him time.”")
    q = _parsed_quote(nlp, text, "give him time.")
    assert q.speaker_mention != "those"
    assert q.speaker == "Joe Biden"


def test_weak_verb_with_a_person_noun_subject(nlp):
    # "employee" is a person noun (speech_en.json): "called" counts with it as subject
    text = ("The battle over whether the school is what former employees have called a “fraudulent scheme” took an "
            "uglier turn on Friday.")
    q = _parsed_quote(nlp, text, "fraudulent scheme")
    assert q.speaker_mention is not None and "employees" in q.speaker_mention


def test_generic_you_is_never_the_speaker(nlp):
    text = "If you live in California, feel free to “vote your conscience” or whatever you want to call it."
    q = _parsed_quote(nlp, text, "vote your conscience")
    assert (q.speaker, q.speaker_mention) == (None, None)


def test_digest_source_before_a_colon(nlp):
    # a digest's "headline - Source: “…”": the source named before the colon, not the headline's subject
    text = ("But polls did predict the Democratic caucus - HuffPollster: “While the Iowa caucuses provided a polling "
            "upset on the Republican side, most pollsters fared much better with the Democratic results.” [HuffPost.]")
    q = _parsed_quote(nlp, text, text[text.index("“") + 1 : text.index("”")])
    assert q.speaker == "HuffPollster"


def test_nested_quote_keeps_its_outer_speaker(nlp):
    text = ("IOWA POLLS NOT WRONG, JUST TOO EARLY - Mark Blumenthal and Jon Cohen: “Although the polls failed to "
            "predict the win, beyond the number of “cell phone only” households, they just ended too early.”")
    q = _parsed_quote(nlp, text, text[text.index("“") + 1 : -1])
    assert q.speaker is not None and "Cohen" in q.speaker


@pytest.mark.parametrize(
    "text, expected",
    [
        # an opener with no space before it and none of a word after it closes the quote that is open
        ("Pollster: “Polls are the only thing that give us an idea of where voters stand.“[HuffPost.]",
         ["Polls are the only thing that give us an idea of where voters stand."]),
        ("He called them “criminals” and “rapists“ while calling for a wall.", ["criminals", "rapists"]),
    ],
)
def test_opener_where_a_closer_belongs(text, expected):
    assert [q.text for q in find_quotes(text)] == expected


def test_unclosed_quote_opening_a_paragraph_runs_to_its_end():
    # the closing mark is missing: the paragraph the quote opens is the quote, not nothing
    text = ("“Cultural conservatives have issues with Trump,” Viguerie notes.\n\n"
            "“The number one thing you must have to win is for the party to be united. They have not been since 1988.")
    assert [q.text for q in find_quotes(text)] == [
        "Cultural conservatives have issues with Trump,",
        "The number one thing you must have to win is for the party to be united. They have not been since 1988."]


def test_quote_running_over_paragraphs():
    text = "“First part of a long statement.\n\n“Second part,” he said."
    assert [q.text for q in find_quotes(text)] == ["First part of a long statement.", "Second part,"]


@pytest.mark.parametrize("text", ["Russia’s army and Ukraine’s army.", "Don’t say it’s the Joneses’ fault."])
def test_apostrophes_are_not_quotes(text):
    assert find_quotes(text) == []


def test_quote_inside_quote_is_part_of_the_outer_one():
    text = "“When Trump says ‘Let’s make America great again,’ that is code,” she said."
    qs = find_quotes(text)
    assert [q.text for q in qs] == ["When Trump says ‘Let’s make America great again,’ that is code,"]


def test_single_quotes_are_quotes_in_a_single_quote_document():
    text = "‘We will not back down,’ the minister said."
    assert [(q.text, q.mark) for q in find_quotes(text)] == [("We will not back down,", "s")]


def test_titles_of_works_are_not_speech():
    text = "Cruz said on ABC’s “This Week” that the plan was “dead on arrival.”"
    qs = find_quotes(text)
    assert [is_title(text, q) for q in qs] == [True, False]


@pytest.mark.parametrize(
    "text, title",
    [
        # title case leaves short words lower-case, however long: “… with Jake Tapper”
        ("Trump said in an interview with CNN’s “The Lead with Jake Tapper,” on June 3.", True),
        ("He is now host of “The Nightly Show with Larry Wilmore.”", True),
        # a show after "with" / "for"
        ("Clinton said in an interview with “Fox News Sunday.”", True),
        ("He spoke to NBC for “Dateline on Assignment” on Wednesday.", True),
        # a sentence with nothing capitalised after its first word is not a title
        ("Her slogan was about “I’m with her” this year.", False),
        # in a headline, where every word is capitalised, “…” after "To" is what was said
        ("Zoe Saldana Asked Men Everywhere To “Redefine Masculinity.”", False),
        ("He was asked to appear on the show and agreed to “Meet the Press” in June.", True),
        # a word for a programme after the title
        ("Listeners called his “Keepin’ It Real” radio program to complain.", True),
    ],
)
def test_titles_in_title_case(text, title):
    q = find_quotes(text)[0]
    assert is_title(text, q) is title


def test_a_nickname_inside_a_name_is_not_speech(nlp):
    text = ("Rep. Robert C. “Bobby” Scott threw open his back yard on Monday.\n\n"
            "Protesters chanted “Bobby!” at the rally, the union said.")
    got = {q.text: q.speaker_mention for q in _parsed(nlp, text)}
    assert got["Bobby"] is None
    assert is_nickname(text, find_quotes(text)[0], [Mention("Scott", "PERSON", text.find("Scott"),
                                                              text.find("Scott") + 5)])
    assert not is_nickname(text, find_quotes(text)[0], [])  # capitalised words alone are not enough


def test_quote_key_ignores_marks_case_and_punctuation():
    assert quote_key("It must end NOW,") == quote_key("it must end now") == "it must end now"
    assert quote_key("Zelenskyy’s „Plan“") == "zelenskyy s plan"


# -- attribution with the parse --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, quote, speaker_word, cue",
    [
        ("“We had a great call,” Donald Trump said on Tuesday.", "We had a great call,", "Trump", "said"),
        ("“We had a great call,” said White House spokeswoman Karoline Leavitt.", "We had a great call,",
         "Leavitt", "said"),
        ("Volodymyr Zelensky told reporters that “this war has two sides.”", "this war has two sides.",
         "Zelensky", "told"),
        ("The Kremlin said in a statement that a “key condition” was an end to aid.", "key condition",
         "Kremlin", "said"),
        ("Aid must stop “immediately,” according to Dmitry Peskov.", "immediately,", "Peskov", None),
        ("Angela Merkel was blunt: “This is unacceptable.”", "This is unacceptable.", "Merkel", None),
        ("In Kyiv, Volodymyr Zelensky said he supported the deal, but added that he believes Russia is not "
         "“ready” for peace.", "ready", "Zelensky", None),
    ],
)
def test_speaker_from_the_parse_in_every_order(nlp, text, quote, speaker_word, cue):
    q = _parsed_quote(nlp, text, quote)
    assert speaker_word in (q.speaker or "") + " " + (q.speaker_mention or "")
    if cue:
        assert q.cue == cue


@pytest.mark.parametrize(
    "text, quote, speaker_word, cue",
    [
        # the model runs without spaCy's lemmatizer: inflections come from the lexicon (doubled consonant,
        # irregular past, phrasal verb) and word classes from Penn tags
        ("“We made mistakes,” Angela Merkel admitted on Monday.", "We made mistakes,", "Merkel", "admitted"),
        ("Joe Biden wrote that the bill was “a betrayal of working families.”", "a betrayal of working families.",
         "Biden", "wrote"),
        ("Bernie Sanders pointed out that the plan was “a giveaway to the rich.”", "a giveaway to the rich.",
         "Sanders", "pointed"),
        ("Pentagon officials described the strike as “a measured response.”", "a measured response.",
         "officials", "described"),
    ],
)
def test_verbs_of_saying_are_read_without_pos_and_lemma(nlp, text, quote, speaker_word, cue):
    assert "lemmatizer" not in nlp.pipe_names and "attribute_ruler" not in nlp.pipe_names
    q = _parsed_quote(nlp, text, quote)
    assert speaker_word in (q.speaker or "") + " " + (q.speaker_mention or "")
    assert q.cue == cue


@pytest.mark.parametrize(
    "text, quote, speaker_word, cue",
    [
        # the attribution after a closing sentence, read off the tokens when the parse does not link it
        ("“It looks like we will not have a very good relationship, who knows?” Donald Trump told Britain’s ITV "
         "television station in an interview aired on Monday when asked how ties would fare.",
         "It looks like we will not have a very good relationship, who knows?", "Trump", "told"),
        ("“We were wrong to stay silent for so long,” Jorge Ramos, 58, told AFP in an interview on Monday.",
         "We were wrong to stay silent for so long,", "Ramos", "told"),
        # a gerund under a preposition speaks for the verb's subject
        ("Barack Obama ended his speech by saying “Too many.”", "Too many.", "Obama", "saying"),
        # a main verb the parse left without a subject: the person named right before it
        ("In a statement to the Observer, her senior policy adviser, Jake Sullivan, said: “Hillary Clinton "
         "believes that cooperation is essential.”", "Hillary Clinton believes that cooperation is essential.",
         "Sullivan", "said"),
        # a colon after a clause whose nearest verb is not the verb of saying
        ("Parker Eaton, a retired teacher, said that given the candidates on both sides:\n\n“There is only one "
         "choice this time.”", "There is only one choice this time.", "Eaton", "said"),
        ("The Sanders campaign called the report a “rush to judgment,” because superdelegates can still change "
         "their minds.", "rush to judgment,", "campaign", "called"),
    ],
)
def test_speaker_where_the_parse_does_not_link_it(nlp, text, quote, speaker_word, cue):
    q = _parsed_quote(nlp, text, quote)
    assert speaker_word in (q.speaker or "") + " " + (q.speaker_mention or "")
    assert q.cue == cue


def test_a_quote_opening_a_sentence_after_reported_speech_is_that_speakers(nlp):
    text = ("Thomas Coan, the attorney, argues that his client never encouraged violence. “The government is alleging "
            "that his rallying cry was a call to arms.”")
    q = _parsed(nlp, text)[0]
    assert (q.speaker, q.cue) == ("Thomas Coan", "argues")


@pytest.mark.parametrize("text, speaker, mention", [
    # a weak verb of saying ("called") speaks for a noun for people: partner, colleague, …
    ("His former business partner at Lenox, Lawrence B. Cummings, called him a master at bolting together deals. "
     "“He showed again and again an ability to put together deals that other people couldn’t.”",
     "Lawrence B. Cummings", "His former business partner at Lenox, Lawrence B. Cummings"),
    ("A colleague called the plan a mistake. “It will cost us the election and it will cost us the majority.”",
     None, "A colleague"),
])
def test_a_noun_for_people_speaks_with_a_weak_verb_before_a_quote(nlp, text, speaker, mention):
    q = _parsed(nlp, text)[0]
    assert (q.speaker, q.speaker_mention, q.cue) == (speaker, mention, "called")


@pytest.mark.parametrize(
    "text, speaker, cue",
    [
        ("As Dana Milbank puts it, “Senate Republicans are unmoved.”", "Dana Milbank", "puts"),
        ("Also, Donald Trump is not a conservative, Jim Smith said. “He is a liberal and always was one!”",
         "Jim Smith", "said"),
    ],
)
def test_as_x_puts_it_and_a_trailing_said_before_a_quote(nlp, text, speaker, cue):
    q = _parsed(nlp, text)[0]
    assert (q.speaker, q.cue) == (speaker, cue)


@pytest.mark.parametrize(
    "text, quote, speaker, mention",
    [
        # a participle on a statement someone issued is theirs
        ("Senator David Vitter’s office put out a statement saying the United States “does not have the capacity "
         "to vet every refugee.”", "does not have the capacity to vet every refugee.", None, "office"),
        ("Donald Trump and Paul Ryan issued a statement describing their meeting as a “very positive step toward "
         "unification.”", "very positive step toward unification.", None, "Trump"),
        # news names a person by their age
        ("Jane Doe posted a video on Monday.\n\n“What if Donald Trump had elocution lessons?” the 43-year-old "
         "asked in the video’s description.", "What if Donald Trump had elocution lessons?", None, "43-year-old"),
        # verbs of saying read from tasks/data/speech_en.json
        ("“Go back to Univision,” Donald Trump barked at the reporter.", "Go back to Univision,", "Donald Trump",
         "Trump"),
        ("“Quiet,” he demanded, as Jeb Bush continued to interject.", "Quiet,", None, "he"),
        # a document can speak: an article or an editorial, like a statement or a report
        ("“Business and government leaders in New York honored Donald J. Trump yesterday,” the article read.",
         "Business and government leaders in New York honored Donald J. Trump yesterday,", None, "article"),
        ("“There are invertebrates that have shown more spine than Sen. Charles Grassley,” reads a Wednesday "
         "editorial in The Des Moines Register.", "There are invertebrates that have shown more spine than Sen. "
         "Charles Grassley,", None, "editorial"),
    ],
)
def test_statements_ages_and_more_verbs_of_saying(nlp, text, quote, speaker, mention):
    q = _parsed_quote(nlp, text, quote)
    if speaker:
        assert q.speaker == speaker
    assert mention in (q.speaker_mention or "")
    if "barked" in text or "demanded" in text:
        assert q.cue in ("barked", "demanded")


def test_according_to_on_the_verb_of_saying_names_the_source_of_the_report(nlp):
    # "according to X" on the verb of saying itself: X reports the speech (PolNeAR's and the seeds' gold)
    text = ("“I ask you as a personal courtesy to me not to engage in any kind of protest,” Bernie Sanders said, "
            "according to CNN.")
    q = _parsed(nlp, text)[0]
    assert "CNN" in (q.speaker or "") + (q.speaker_mention or "")
    # after a trailing "X said", and on the verb's adjuncts
    text = ("“I think one has to ask, is this a priority for the two of them because it’s an election year?” Martin "
            "O’Malley said at a press conference, according to the Las Vegas Sun.")
    q = _parsed(nlp, text)[0]
    assert "Sun" in (q.speaker or "") + (q.speaker_mention or "")
    # on another verb of the sentence it does not: the one who told reporters speaks
    text = ("Ukrainian President Volodymyr Zelensky told reporters on Tuesday that “if there is a partial ceasefire, "
            "this is a positive result” but also expressed doubt that Russia would keep its word, according to ABC "
            "News.")
    q = _parsed(nlp, text)[0]
    assert q.speaker == "Volodymyr Zelensky"


def test_a_name_tagged_as_a_noun_can_speak_with_a_weak_verb(nlp):
    text = "So, who was the best? - Pew notes that the surveys they studied aren’t “monolithic,” with some better."
    q = _parsed_quote(nlp, text, "monolithic,")
    assert q.speaker_mention == "Pew" and q.cue == "notes"


def test_a_reporter_named_after_the_verb_of_saying_is_the_source(nlp):
    text = ("“This platform’s language just says you are no longer welcome,” said Kristen Day, executive director "
            "of Democrats for Life, reports USA Today.")
    q = _parsed(nlp, text)[0]
    assert "USA Today" in (q.speaker or "") + (q.speaker_mention or "")


def test_it_can_speak_for_a_group_with_a_weak_verb(nlp):
    text = ("The group seeks to prevent gun deaths through the enactment of what it calls “sensible gun violence "
            "prevention laws.”")
    q = _parsed(nlp, text)[0]
    assert (q.speaker_mention, q.cue) == ("it", "calls")


@pytest.mark.parametrize(
    "text, quote, speaker",
    [
        ("Donald Trump argued that a database would keep people from coming into the country illegally, saying it’s "
         "“all about management.”", "all about management.", "Donald Trump"),
        ("In an interview on Monday, Bernie Sanders said the process of writing the platform could be “messy,” "
         "adding, “Democracy is messy.”", "Democracy is messy.", "Bernie Sanders"),
    ],
)
def test_a_participle_of_saying_inside_reported_speech_is_the_reporters(nlp, text, quote, speaker):
    q = _parsed_quote(nlp, text, quote)
    assert q.speaker == speaker


def test_it_is_safe_to_say_is_nobodys_speech(nlp):
    text = ("Trump said the deadlock has “kept us safe” on Twitter. Given his past comments on building a wall to keep "
            "so-called Mexican “rapists” and “criminals” out of the U.S., it’s safe to say he’s referring to the notion "
            "of closing the border.")
    quotes = _parsed(nlp, text)
    assert [q.text for q in quotes] == ["kept us safe", "rapists", "criminals"]
    assert quotes[0].speaker == "Trump" and quotes[0].cue == "said"
    # "it’s safe to say" is the writer's idiom: neither its "it" nor its "say" attributes the scare quotes
    assert all(q.speaker_mention != "it" and q.cue != "say" for q in quotes)


def test_a_relative_pronoun_is_the_mention_and_its_antecedent_the_speaker(nlp):
    # like "he": the words in the text are "who", the speaker is the person they stand for
    text = ("Glenn Beck, who has in the past described Donald Trump as “a narcissistic psychopath,” spoke in "
            "Indiana on Monday.")
    q = _parsed(nlp, text)[0]
    assert (q.speaker, q.speaker_mention) == ("Glenn Beck", "who")
    # an antecedent nobody names keeps its own words
    text = "Her campaign’s leadership, who spoke on a press call, criticized Sanders for “misrepresenting what happened.”"
    q = _parsed(nlp, text)[0]
    assert q.speaker is None and "leadership" in q.speaker_mention
    # and when the relative pronoun is the subject of the verb of saying, the mention runs through the pronoun: both
    # who spoke and the subject as written
    text = ("Pence’s press release linked to the Associated Press report, which notes, “More than half the people "
            "outside the government who met with Hillary Clinton gave money to the foundation.”")
    q = _parsed(nlp, text)[0]
    assert (q.speaker, q.speaker_mention) == (None, "the Associated Press report, which")


def test_a_quote_after_a_statement_someone_issued_is_theirs(nlp):
    text = ("The Democratic National Committee issued a statement apologizing to Bernie Sanders on Monday.\n\n"
            "“On behalf of everyone at the DNC, we want to offer a deep and sincere apology to Senator Sanders.”")
    q = _parsed(nlp, text)[0]
    assert "Committee" in (q.speaker or q.speaker_mention or "")


def test_a_short_sentence_after_an_attributed_quote_continues_it(nlp):
    qs = _parsed(nlp, "“You got the names of everybody who is here?” Bernie Sanders said. “Okay, great!”")
    assert [q.speaker for q in qs] == ["Bernie Sanders", "Bernie Sanders"]


def test_an_indefinite_description_is_not_the_person_named_before(nlp):
    text = ("Clinton supporter Jane Doe spoke on Monday. “Yet another state we would have won if everyone could vote,” "
            "another supporter wrote on Reddit.")
    q = _parsed(nlp, text)[0]
    assert q.speaker is None and q.speaker_mention == "another supporter"


@pytest.mark.parametrize(
    "text, speaker",
    [
        ("Mike Pence blamed the media for making an issue out of Donald Trump’s claim that Barack Obama “founded ISIS.”",
         "Donald Trump"),
        ("Mitt Romney’s “47 percent” comment was nearly as dismissive.", "Mitt Romney"),
        # words describing someone's remarks are the describer's
        ("Angela Merkel denounced Donald Trump’s remarks as “hurtful and humiliating.”", "Angela Merkel"),
    ],
)
def test_a_noun_for_something_said_names_its_owner(nlp, text, speaker):
    assert _parsed(nlp, text)[0].speaker == speaker


def test_no_verb_of_saying_the_higher_clause_subject_speaks(nlp):
    # "X said/found that Y was “…”": the words are X's, not Y's
    text = "Two military analysts found in 2014 that the Israeli Air Force is “the best in the world.”"
    q = _parsed(nlp, text)[0]
    assert q.speaker is None and "analysts" in q.speaker_mention
    text = "Elizabeth Warren said Donald Trump was a “proven failure” in business."
    assert _parsed(nlp, text)[0].speaker == "Elizabeth Warren"


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("The ad targets a “corrupt political system that keeps in place a rigged economy.”", "The ad"),
        ("The candidate sent an email to supporters inviting them to enter the contest for free, to “win my engraved "
         "shotgun!”", "The candidate"),
        ("The protesters denounced the plan as a “disaster.”", "The protesters"),
        # the quote inside the noun's own phrase is a title or a term, not its words
        ("The “No Comparison” ad contrasts Bush’s record as governor with Kasich’s.", None),
        ("The actor, who also stars on the Netflix thriller “Bloodline,” returns to the stage.", None),
        # a verb with no subject of its own (controlled) passes to the one above it
        ("Some men are especially keen on telling women to stop “nagging” when they speak up.", "Some men"),
        ("Critics are quick at branding the plan a “disaster” for farmers.", "Critics"),
    ],
)
def test_no_verb_of_saying_a_noun_for_people_as_subject_speaks(nlp, text, mention):
    q = _parsed(nlp, text)[0]
    assert q.speaker_mention == mention and q.speaker is None


def test_pronoun_resolves_to_the_preceding_person_of_its_gender(nlp):
    text = ("Angela Merkel met Donald Trump in Berlin on Monday.\n\n"
            "“The talks were frank,” she said.\n\n"
            "“We will see,” he said.")
    qs = _parsed(nlp, text)
    assert [(q.speaker, q.speaker_mention) for q in qs] == [("Angela Merkel", "she"), ("Donald Trump", "he")]


def test_pronoun_prefers_the_sentence_subject_to_a_possessive(nlp):
    text = ("Donald Trump blamed his predecessor Joe Biden’s policies for the war.\n\n"
            "“It must end NOW,” he wrote on Truth Social.")
    assert _parsed(nlp, text)[0].speaker == "Donald Trump"


def test_description_resolves_when_the_document_named_the_person(nlp):
    named = ("Russian President Vladimir Putin spoke for two hours.\n\n"
             "The Russian president said the West was “playing a game.”")
    q = _parsed(nlp, named)[0]
    assert (q.speaker, q.speaker_mention) == ("Vladimir Putin", "The Russian president")
    unnamed = "The governor said the situation “remains difficult.”"
    q = _parsed(nlp, unnamed)[0]
    assert q.speaker is None and q.speaker_mention == "The governor"


def test_quote_only_paragraph_continues_the_previous_speaker(nlp):
    text = ("“Putin needed to appear constructive,” Hardie said.\n\n"
            "“Putin wants to keep Trump focused on the talks.”\n\n"
            "Oil prices rose on Tuesday, traders said, citing “supply worries.”")
    qs = _parsed(nlp, text)
    assert qs[0].speaker_mention == "Hardie" and qs[1].speaker_mention == "Hardie"
    assert qs[2].speaker_mention != "Hardie"


def test_a_quote_nobody_says_has_no_speaker(nlp):
    text = "Sales of the so-called “miracle” drug rose in March.\n\nThe film “Trainwreck” opened on Friday."
    assert all(q.speaker is None and q.speaker_mention is None for q in _parsed(nlp, text))


def test_a_lone_pronoun_in_quotes_is_a_word_talked_about_not_speech(nlp):
    text = "Why are you voting for Trump, the columnist asked, unless simply because “she” is a “he”?"
    assert all(q.speaker is None and q.speaker_mention is None for q in _parsed(nlp, text))


# -- attribution without a parse -----------------------------------------------------------------------------


def test_lexical_attribution_named_pronoun_and_continuation():
    text = (
        "Vladimir Putin met Donald Trump on Tuesday.\n\n"
        "“We had a great call,” Trump said.\n\n"
        "“It lasted almost two hours.”\n\n"
        "“We are ready,” he added."
    )
    qs = find_quotes(text)
    attribute(text, qs, _mentions(text, [("Vladimir Putin", "PERSON"), ("Donald Trump", "PERSON"),
                                         ("Trump", "PERSON")]))
    assert [(q.speaker, q.cue) for q in qs] == [("Donald Trump", "said"), ("Donald Trump", None),
                                              ("Donald Trump", "added")]


@pytest.mark.parametrize(
    "text, speaker, mention",
    [
        ("„Wir werden das nicht hinnehmen“, sagte Bundeskanzler Olaf Scholz am Montag.", "Olaf Scholz",
         "Bundeskanzler Olaf Scholz"),
        ("Die Ministerin erklärte: „Das ist ein guter Tag für Europa.“", None, "Die Ministerin"),
        ("Der Plan sei „nicht umsetzbar“, sagte der Sprecher des Ministeriums.", None,
         "der Sprecher des Ministeriums"),
        ("„Wir bleiben“, so Parteichefin Ricarda Lang.", "Ricarda Lang", "Parteichefin Ricarda Lang"),
    ],
)
def test_german_verbs_of_saying_without_a_parse(text, speaker, mention):
    from tasks.normalise import normalise_text

    text = normalise_text(text)
    qs = find_quotes(text)
    attribute(text, qs, [], language="de")
    assert (qs[0].speaker, qs[0].speaker_mention) == (speaker, mention)


def test_german_sample_hand_checked():
    """33 quotes from 10kGNAD (DER STANDARD) articles, the speaker each one has checked by hand (None: not
    speech). Measured: 31 of 33 right; the two misses take a topic before a colon for a speaker."""
    from tasks.normalise import normalise_text

    rows = [json.loads(line) for line in (FIXTURES / "quotes_de_10kgnad.jsonl").read_text().splitlines()]
    right = 0
    for r in rows:
        text = normalise_text(r["text"])
        qs = find_quotes(text)
        attribute(text, qs, [], language="de")
        q = next(q for q in qs if q.text == r["quote"])
        got = f"{q.speaker or ''} {q.speaker_mention or ''}"
        right += (r["speaker"] is None and not got.strip()) or (r["speaker"] is not None and r["speaker"] in got)
    assert len(rows) == 33
    assert right >= 31


# -- the same quote across outlets -----------------------------------------------------------------------------


def _warehouse_views(docs: list[dict], quotes: list[dict]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `documents` and `quotes` and the staging and mart SQL of the repository."""
    con = duckdb.connect()
    rows = {"documents": docs, "quotes": quotes}
    for table, schema in schemas.ALL_TABLES.items():  # every base table, empty but for ours (other views use them)
        con.register(f"{table}_arrow", pa.Table.from_pylist(rows.get(table, []), schema=schema))
        con.execute(f"create view {table} as select * from {table}_arrow")
    for folder in ("staging", "marts"):
        for path in sorted((REPO / "warehouse" / folder).glob("*.sql")):
            con.execute(path.read_text(encoding="utf-8"))
    return con


def _doc(doc_id: str, site: str, published: str | None, ingested: str) -> dict:
    import datetime as dt

    return {"doc_id": doc_id, "source_path": f"{doc_id}.txt", "batch": "b", "content_sha256": doc_id * 4,
            "run_id": "r", "ingested_at": dt.datetime.fromisoformat(ingested).replace(tzinfo=dt.UTC),
            "site_name": site, "published": dt.date.fromisoformat(published) if published else None,
            "text": "x", "n_chars": 1, "pipeline_version": "t"}


def _quote(qid: str, doc_id: str, text: str, speaker: str | None) -> dict:
    return {"quote_id": qid, "doc_id": doc_id, "text": text, "start": 0, "end": len(text), "speaker": speaker,
            "kind": "full", "quote_key": quote_key(text)}


def test_the_same_quote_across_outlets_is_one_cluster():
    docs = [_doc("d1", "A", "2025-03-19", "2025-03-20T10:00:00"), _doc("d2", "B", "2025-03-18", "2025-03-21T10:00:00"),
            _doc("d3", "C", None, "2025-03-17T10:00:00"), _doc("d4", "D", None, "2025-03-22T10:00:00")]
    quotes = [
        _quote("q1", "d1", "It must end NOW,", "Donald Trump"),
        _quote("q2", "d2", "it must end now", "Donald Trump"),
        _quote("q3", "d3", "We agreed to a ceasefire, and it must end now, before more die.", "Trump"),
        _quote("q4", "d4", "ready", "Volodymyr Zelensky"),
        _quote("q5", "d1", "ready", "Vladimir Putin"),
        _quote("q6", "d2", "Prices will fall next year, the bank expects.", "Bank"),
    ]
    con = _warehouse_views(docs, quotes)
    members = dict(con.execute("select quote_id, cluster_id from mart_quote_cluster_members").fetchall())
    assert members["q1"] == members["q2"] == members["q3"]
    assert members["q4"] != members["q5"]  # one word said by two people is two quotes
    assert members["q6"] not in (members["q1"], members["q4"])
    row = con.execute("select speaker, first_doc_id, n_documents, n_outlets, outlets from mart_quote_clusters "
                  f"where cluster_id = '{members['q1']}'").fetchone()
    # d2 is the first published; d3 (no date) counts from its ingest time, which is earlier still
    assert row == ("Donald Trump", "d3", 3, 3, ["A", "B", "C"])
    top = con.execute("select speaker, n_quotes, n_distinct_quotes from mart_top_speakers "
                  "where speaker = 'Donald Trump'").fetchone()
    assert top == ("Donald Trump", 2, 1)


def test_according_to_keeps_who_the_report_says_spoke(nlp):
    # the report's source is the speaker (PolNeAR's and the seeds' convention); who spoke stays in reported_speaker
    text = "“The talks are over,” Foreign Minister Sergei Lavrov told reporters, according to Reuters."
    q = _parsed(nlp, text)[0]
    assert (q.speaker, q.cue, q.reported_speaker) == ("Reuters", "according", "Sergei Lavrov")
    plain = _parsed(nlp, "“The talks are over,” Foreign Minister Sergei Lavrov told reporters.")[0]
    assert (plain.speaker, plain.cue, plain.reported_speaker) == ("Sergei Lavrov", "told", None)


@pytest.mark.parametrize(
    "text, quote, speaker_word, cue",
    [
        # a verb of saying in -s that the tagger took for a plural noun, but the parse gave a subject
        ("The treaty is clear. Article 33 affirms: “No state shall expel a refugee to the frontiers of territories "
         "where his life would be threatened.”",
         "No state shall expel a refugee to the frontiers of territories where his life would be threatened.",
         "Article", "affirms"),
        # a participle the parse hung on a name the tagger took for a noun (the entity recogniser did not)
        ("Real estate mogul Donald Trump drew boos.\n\nTrump defended eminent domain, calling the expropriation of "
         "private property for public use an “absolute necessity” for the government to build schools, roads and "
         "bridges.", "absolute necessity", "Trump", "calling"),
        # seen or heard speaking: the passive verb's subject
        ("In the nearly 52-minute video, the cleric Anwar al-Awlaki is shown lecturing: “Muslims of the West, take "
         "heed and learn from the lessons of history.”",
         "Muslims of the West, take heed and learn from the lessons of history.", "Awlaki", "lecturing"),
        ("Senator Bob Smith was heard saying “we will never give up on this” at the rally.",
         "we will never give up on this", "Smith", "saying"),
        # imply and talk (about) are weak verbs of saying: a subject that can speak
        ("He then implied that the leaders should be punished, specifically by having “a millstone be hanged” "
         "around their necks.", "a millstone be hanged", "He", "implied"),
        ("Instead, the statement talked about giving voters the right to “determine who they want as president.”",
         "determine who they want as president.", "statement", "talked"),
    ],
)
def test_speakers_of_misparsed_and_weak_verbs(nlp, text, quote, speaker_word, cue):
    q = _parsed_quote(nlp, text, quote)
    assert speaker_word in (q.speaker or "") + " " + (q.speaker_mention or "")
    assert q.cue == cue


def test_a_subjectless_complement_verb_of_saying_takes_the_name_before_it(nlp):
    # the parse of a long PolNeAR sentence ("…, Speaker of the House Rep. Paul Ryan (R-WI) said “…”") hangs
    # "said" as a complement of the verb before, with no subject; the Doc is built with that parse (the small
    # model parses a short sentence right)
    from spacy.tokens import Doc, Span

    words = ["Critics", "likened", "it", "to", "a", "star", ",", "Paul", "Ryan", "(", "R", "-", "WI", ")", "said",
             "“", "images", "have", "no", "place", ".", "”"]
    spaces = [True, True, True, True, True, False, True, True, True, False, False, False, False, True, True,
              False, True, True, True, False, False, False]
    tags = ["NNS", "VBD", "PRP", "IN", "DT", "NN", ",", "NNP", "NNP", "-LRB-", "NN", "HYPH", "NNP", "-RRB-", "VBD",
            "``", "NNS", "VBP", "DT", "NN", ".", "''"]
    heads = [1, 1, 1, 1, 5, 3, 5, 8, 5, 8, 12, 12, 8, 1, 1, 14, 17, 14, 19, 17, 17, 14]
    deps = ["nsubj", "ROOT", "dobj", "prep", "det", "pobj", "punct", "compound", "appos", "punct", "compound",
            "punct", "appos", "punct", "ccomp", "punct", "nsubj", "ccomp", "det", "dobj", "punct", "punct"]
    sdoc = Doc(nlp.vocab, words=words, spaces=spaces, tags=tags, heads=heads, deps=deps)
    sdoc.ents = [Span(sdoc, 7, 9, label="PERSON")]
    text = sdoc.text
    qs = find_quotes(text)
    attribute(text, qs, canonicalise(mentions_from_spacy(sdoc)), analysis=sdoc)
    assert [(q.text, q.speaker, q.cue) for q in qs] == [("images have no place.", "Paul Ryan", "said")]


@pytest.mark.parametrize(
    "text, quote, mention",
    [
        # a quote opening a sentence after a sentence whose verb of saying is a participle ("by saying")
        ("Bolton distanced himself from the movement by saying he would be willing to help the administration if "
         "asked. “I’m going to support him, and support him enthusiastically, because I think he can do the job.”",
         "I’m going to support him, and support him enthusiastically, because I think he can do the job.", "Bolton"),
        ("The senator ended the call by saying he would vote against the bill.\n\n“This is not a bill I can support "
         "in good conscience, and my constituents know it.”",
         "This is not a bill I can support in good conscience, and my constituents know it.", "The senator"),
        # a colon after "From X" and "Here’s X"
        ("What the report does mean is simple. From the report: “In general, samples with more elaborate sampling "
         "and weighting procedures produced more accurate results.”",
         "In general, samples with more elaborate sampling and weighting procedures produced more accurate results.",
         "the report"),
        ("Here’s Barack Obama on the economy: “We are not going back to the policies that got us into this mess.”",
         "We are not going back to the policies that got us into this mess.", "Barack Obama"),
    ],
)
def test_participles_before_a_quote_and_colons_after_from_and_heres(nlp, text, quote, mention):
    assert _parsed_quote(nlp, text, quote).speaker_mention == mention


def test_one_after_a_verb_of_saying_is_the_speaker(nlp):
    # “…,” read one: the pronoun "one" after the verb, not the subject of the paragraph before
    text = "Five planes wrote messages over the stadium.\n\n“America is great! Trump is disgusting,” read one."
    q = _parsed_quote(nlp, text, "America is great! Trump is disgusting,")
    assert (q.speaker_mention, q.cue) == ("one", "read")


def test_a_subject_reached_through_other_clauses_must_be_able_to_speak(nlp):
    # "claiming" hangs on the reported clause ("the court’s deadlock has kept …"); its subject, found by climbing,
    # is no speaker, and the one who said the whole sentence is
    text = ("Trump said the court’s deadlock has “kept us safe” on Twitter before claiming that open borders are "
            "“tearing American families apart.”")
    q = _parsed_quote(nlp, text, "tearing American families apart.")
    assert (q.speaker, q.speaker_mention) == ("Trump", "Trump")


@pytest.mark.parametrize(
    "text, quote, speaker",
    [
        ("Startups are booming there because, in the words of Forbes, “they are the most entrepreneurial places on "
         "the planet.”", "they are the most entrepreneurial places on the planet.", "Forbes"),
        ("Hillary Clinton wants to bring back the 1990s. She promised to put him in charge of fixing the economy "
         "because, in her words, “he knows how to do it.”", "he knows how to do it.", "Hillary Clinton"),
        # a bare apostrophe the parse does not hang as a possessive ("in" then has two objects)
        ("Michael Dell spent a week in Tel Aviv because, in Forbes’ words, “they are the most entrepreneurial places "
         "on the planet.”", "they are the most entrepreneurial places on the planet.", "Forbes"),
    ],
)
def test_in_the_words_of_x_names_the_speaker(nlp, text, quote, speaker):
    q = _parsed_quote(nlp, text, quote)
    assert q.speaker == speaker and q.cue is None


def test_you_outside_quotes_is_generic_not_a_speaker(nlp):
    text = ("Obama says some constraints on freedom are necessary to protect innocent people. He notes that the right "
            "to free speech also comes with the limitation that you can’t yell “fire” in a theater.")
    q = _parsed_quote(nlp, text, "fire")
    assert (q.speaker, q.speaker_mention, q.cue) == ("Obama", "He", "notes")


@pytest.mark.parametrize(
    "text, quote, mention",
    [
        ("About 25 percent of likely Republican voters say they would “definitely not support” him, according to a "
         "Monmouth University poll.", "definitely not support", "a Monmouth University poll"),
        ("The vast majority of Americans say they prefer lower prices instead of paying a premium for items labeled "
         "“Made in the U.S.A.,” even if it means those items are made abroad, according to an Associated Press-GfK "
         "poll released Thursday.", "Made in the U.S.A.,", "an Associated Press-GfK poll"),
    ],
)
def test_a_share_of_people_speaks_through_the_poll_named(nlp, text, quote, mention):
    q = _parsed_quote(nlp, text, quote)
    assert q.speaker_mention == mention and q.cue == "according"


def test_a_reporting_aside_between_commas_is_the_outermost_speaker(nlp):
    text = ("Cruz claimed that his campaign had misinterpreted a CNN report. CNN, Cruz said, called the announcement "
            "“highly significant.”")
    q = _parsed_quote(nlp, text, "highly significant.")
    assert (q.speaker_mention, q.cue) == ("Cruz", "said")


def test_a_long_apposition_between_the_name_and_its_verb_after_a_quote(nlp):
    text = ("Matt Boyle covers the campaign.\n\n“Very good reporter, very good reporter this guy,” Trump, the 2016 GOP "
            "presidential frontrunner nationally and current polling leader in South Carolina by a wide margin after "
            "winning the New Hampshire primaries, said when Boyle asked him a question.")
    q = _parsed_quote(nlp, text, "Very good reporter, very good reporter this guy,")
    assert (q.speaker_mention, q.cue) == ("Trump", "said")


def test_a_coordinated_clause_with_its_own_subject_is_not_the_same_speaker(nlp):
    text = ("Bill Clinton spoke with voters outside the polling location before heading inside with Walsh. At one "
            "point, a woman asked for a photo and Clinton said, “as long as we’re not violating any election laws.”")
    q = _parsed_quote(nlp, text, "as long as we’re not violating any election laws.")
    assert (q.speaker, q.cue) == ("Bill Clinton", "said")


def test_a_participle_after_a_quote_is_followed_by_whom_it_addresses(nlp):
    text = ("The Trayvon Martin Foundation did not want to address “that person,” telling Fox 35 that the "
            "organization is focused on “ending senseless gun violence.”")
    assert [q.speaker for q in _parsed(nlp, text)] == ["Trayvon Martin Foundation"] * 2


def test_a_finding_the_parse_hangs_on_its_finders_is_theirs(nlp):
    text = ("Its quartet of Iron Dome, David’s Sling and Arrow 2 make them world leaders in anti-missile defense. Two "
            "military analysts, Patrick Megahan and Chris Harman, found in 2014 that the Israeli Air Force is “the best "
            "in the world” and Israeli ground forces are “the best in the Middle East.”")
    q = _parsed_quote(nlp, text, "the best in the world")
    assert "analysts" in q.speaker_mention


def test_a_closing_x_reports_names_the_source_of_the_whole_sentence(nlp):
    text = ("Andrean High School fans also chanted, “Build a wall,” referring to the Republican presidential "
            "candidate’s vow to construct a wall along the U.S.-Mexican border, the Chicago Tribune reports.")
    q = _parsed_quote(nlp, text, "Build a wall,")
    assert (q.speaker, q.cue, q.reported_speaker) == ("Chicago Tribune", "reports", "Andrean High School fans")


def test_a_relative_clause_the_parse_missed_names_its_antecedent(nlp):
    # in its PolNeAR dev paragraph the model hangs "reported" on "turned" as an adverbial clause with "which" as
    # its subject; the Doc is built with that parse (the short sentence alone parses as a relative clause)
    from spacy.tokens import Doc, Span

    words = ["They", "turned", "to", "the", "Chicago", "Police", "Department", "which", "reported", "“", "2,521",
             "shooting", "incidents", "”", "in", "the", "city", "."]
    spaces = [True, True, True, True, True, True, True, True, True, False, True, True, False, True, True, True,
              False, False]
    tags = ["PRP", "VBD", "IN", "DT", "NNP", "NNP", "NNP", "WDT", "VBD", "``", "CD", "NN", "NNS", "''", "IN", "DT",
            "NN", "."]
    heads = [1, 1, 1, 6, 6, 6, 2, 8, 1, 8, 12, 12, 8, 8, 8, 16, 14, 1]
    deps = ["nsubj", "ROOT", "prep", "det", "compound", "compound", "pobj", "nsubj", "advcl", "punct", "nummod",
            "compound", "dobj", "punct", "prep", "det", "pobj", "punct"]
    sdoc = Doc(nlp.vocab, words=words, spaces=spaces, tags=tags, heads=heads, deps=deps)
    sdoc.ents = [Span(sdoc, 3, 7, label="ORG")]
    text = sdoc.text
    qs = find_quotes(text)
    attribute(text, qs, canonicalise(mentions_from_spacy(sdoc)), analysis=sdoc)
    assert [(q.speaker, q.speaker_mention, q.cue) for q in qs] == [
        ("Chicago Police Department", "which", "reported")]


def test_a_conjunct_verb_of_saying_takes_the_name_before_it_not_the_quoted_subject(nlp):
    # in this paragraph context the model hangs "said" as a conjunct of the quoted "achieve", so the parse gives
    # it the quote's own subject "We" (PolNeAR dev); the name right before the verb speaks
    text = ("The U.S. Department of Justice is investigating the shooting.\n\n“I will just make this promise to "
            "you: We will achieve justice in this case,” Tulsa police Chief Chuck Jordan said Monday. “I want to "
            "assure our community.”")
    q = _parsed(nlp, text)[0]
    assert (q.speaker, q.cue) == ("Chuck Jordan", "said")


@pytest.mark.parametrize("parsed", [True, False])
def test_a_name_after_a_dash_is_the_quotes_source(nlp, parsed):
    text = ("“He is someone no sane person would want as president.” ― Christina Lastra\n"
            "“Fear. I am truly afraid that he will win.”― Edwin G. Monroy.\n"
            "“We need more schools.” — Jane Doe, 45, a nurse from Ohio\n\n"
            "The slogan “Yes we can” — the campaign's line in 2008 — returned.\n\n"
            "“Nobody asked us.” — he said later.\n\n"
            "The prime minister insisted that his party was “still the first force in Spain.” — Kim Jones")
    if parsed:
        qs = _parsed(nlp, text)
    else:
        qs = find_quotes(text)
        attribute(text, qs, [], language="de")
    got = {q.text: q.speaker_mention for q in qs}
    assert got["He is someone no sane person would want as president."] == "Christina Lastra"
    assert got["Fear. I am truly afraid that he will win."] == "Edwin G. Monroy"
    assert got["We need more schools."] == "Jane Doe"
    assert got["Yes we can"] is None
    assert got["Nobody asked us."] in (None, "he")
    assert got["still the first force in Spain."] != "Kim Jones"  # a reporter signing a brief
