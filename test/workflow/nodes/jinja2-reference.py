"""Writes jinja2-reference.json: what Python's Jinja2 prints for each case, as Dify's sandbox renders
(jinja2.Template(source).render(**inputs) after a JSON round trip of the inputs). The renderer test
compares our output with it. Regenerate with Python 3 and jinja2 3.1.x:

    python3 test/workflow/nodes/jinja2-reference.py

Inputs avoid integral floats (JSON 1.0 reaches a Worker as the number 1 and prints as "1").
"""
import json
import pathlib

import jinja2

V = {
    "name": "Ada",
    "n": 7,
    "x": 3.14159,
    "neg": -2.5,
    "flag": True,
    "nothing": None,
    "items": [3, 1, 2],
    "words": ["b", "A", "c", "a"],
    "prices": [1.5, 2.25, 10],
    "user": {"name": "Ada", "age": 36, "tags": ["x", "y"], "address": {"city": "London"}},
    "users": [
        {"name": "bob", "age": 30, "city": "Paris", "active": True},
        {"name": "Ann", "age": 25, "city": "london", "active": False},
        {"name": "carl", "age": 35, "city": "Paris", "active": True},
    ],
    "text": "  Hello World, hello jinja  ",
    "html": "<p>Tom & \"Jerry\" 'x'</p><!-- c --> <b>bold</b>",
    "long": "The quick brown fox jumps over the lazy dog and keeps on running far away",
    "nested": [[1, 2], [3, [4, 5]]],
    "mixed": [1, "two", 3.5, None, True, {"k": "v"}],
    "quote": "it's",
    "both": "it's \"q\"",
    "uni": "héllo 世界",
    "obj": {"b": 2, "a": 1, "c": {"z": [1, {"y": None}]}},
    "empty": [],
    "emptys": "",
    "file": {"dify_model_identity": "__dify__file__", "filename": "a.png", "size": 10},
}

CASES = [
    # printing: str() of every JSON type
    "{{ name }}|{{ n }}|{{ x }}|{{ neg }}|{{ flag }}|{{ nothing }}",
    "{{ items }}|{{ words }}|{{ prices }}",
    "{{ user }}",
    "{{ mixed }}",
    "{{ nested }}",
    "{{ obj }}",
    "{{ [quote, both, 'a\\nb', 'tab\\t'] }}",
    "{{ uni }} {{ [uni] }}",
    "{{ empty }}|{{ emptys }}|{{ {} }}|{{ () }}|{{ (1,) }}|{{ (1, 'a') }}",
    "{{ [1.0, 3.5] }}|{{ 1.0 }}|{{ 0.1 + 0.2 }}|{{ 1000.0 }}",
    "{{ 10/2 }}|{{ 7//2 }}|{{ 7 % 3 }}|{{ -7 % 3 }}|{{ -7 // 2 }}|{{ 2**10 }}|{{ 2**-1 }}|{{ 7.5 // 2 }}",
    "{{ 0.0001 }}|{{ 0.00001 }}|{{ 1.5e-7 * 1 }}|{{ 12345678901234567.0 }}|{{ 1234567890123456.0 }}|{{ 2**70 }}",
    "{{ true }}|{{ True }}|{{ false }}|{{ none }}|{{ None }}",
    "{{ undefined_var }}|{{ undefined_var is defined }}|{{ user.missing }}|{{ items[10] }}",
    "{{ file }}",
    "{{ {'b': 1, 2: 'two', 'a': [1, 2]} }}",
    "{{ user.name }} {{ user['age'] }} {{ user.address.city }} {{ user.tags.0 }} {{ items[-1] }}",
    "{{ user.items() }}|{{ user.keys() }}|{{ user.values()|list|length }}",
    "{{ range(3) }}|{{ range(3)|list }}|{{ range(1, 10, 3)|list }}",
    "{{ items[1:] }}|{{ items[::-1] }}|{{ name[1:3] }}|{{ words[:2] }}",
    # strings and operators
    "{{ 'ab' * 2 }}|{{ 3 * 'x' }}|{{ [1] * 3 }}|{{ 'a' ~ 1 ~ none ~ true }}|{{ 'a' + 'b' }}",
    "{{ '%s-%d' % ('a', 3) }}|{{ '%.2f' % x }}|{{ '%5s|%-5s|' % ('r', 'l') }}|{{ '%05.1f' % x }}|{{ '%x %o %e' % (255, 8, 12345.678) }}",
    "{{ '%(a)s and %(b)r' % {'a': 1, 'b': 'q'} }}|{{ '%s' % [1, 2] }}|{{ '%d%%' % 50 }}|{{ '%g %g %g' % (0.00001, 123456789.0, 1.5) }}",
    "{{ '{} {}'.format('a', 1) }}|{{ '{0:.2f}'.format(x) }}|{{ '{name}!'.format(name='x') }}|{{ '{:>6}|{:<4}|{:^7}'.format('r', 'l', 'c') }}|{{ '{:,}'.format(1234567) }}|{{ '{:08.3f}'.format(neg) }}|{{ '{:%}'.format(0.25) }}",
    "{{ name.upper() }} {{ name.lower() }} {{ text.strip() }} {{ text.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }}",
    "{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ text.replace('hello', 'bye') }} {{ name.startswith('A') }} {{ name.endswith(('x', 'a')) }}",
    "{{ ', '.join(words) }} {{ 'x'.join(['1', '2']) }} {{ 'abcabc'.count('b') }} {{ 'abc'.find('c') }} {{ '42'.zfill(5) }} {{ '12'.isdigit() }}",
    "{{ 'a' in 'cat' }} {{ 2 in items }} {{ 'name' in user }} {{ 5 not in items }} {{ 1 < n < 10 }} {{ 1 < n > 10 }} {{ n == 7.0 }} {{ true == 1 }}",
    "{{ n and 'yes' }}|{{ 0 and 'yes' }}|{{ nothing or 'fallback' }}|{{ emptys or empty or 'last' }}|{{ not n }}|{{ -n }}|{{ -x }}",
    "{{ 'yes' if flag else 'no' }}|{{ 'yes' if nothing }}|{{ (1, 2) < (1, 3) }}|{{ [1, 2] == [1, 2] }}|{{ 'b' > 'a' }}",
    # control structures and scoping
    "{% for i in items %}{{ loop.index }}:{{ i }}{% if not loop.last %},{% endif %}{% endfor %}",
    "{% for i in items %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.length }}{{ loop.cycle('a', 'b') }} {% endfor %}",
    "{% for k, v in user.items() %}{{ k }}={{ v }};{% endfor %}",
    "{% for k in user %}{{ k }} {% endfor %}",
    "{% for c in name %}[{{ c }}]{% endfor %}",
    "{% for i in empty %}x{% else %}none{% endfor %}",
    "{% for i in items if i > 1 %}{{ i }}{{ loop.length }} {% endfor %}",
    "{% for i in undefined_var %}x{% else %}empty{% endfor %}",
    "{% set c = 0 %}{% for i in range(3) %}{% set c = c + 1 %}{{ c }}{% endfor %}|{{ c }}",
    "{% set ns = namespace(total=0) %}{% for i in items %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t %}captured {{ name }}{% endset %}[{{ t }}]",
    "{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}",
    "{% if user.missing %}yes{% else %}no{% endif %}|{% if nothing is none %}none{% endif %}",
    "{% macro greet(who, punct='!') %}Hi {{ who }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Ann', punct='?') }} {{ greet() }}",
    "{% macro m(a) %}[{{ a }}|{{ varargs }}|{{ kwargs }}]{% endmacro %}{{ m(1, 2, 3, z=4) }}",
    "{% macro box() %}<{{ caller() }}>{% endmacro %}{% call box() %}inside {{ name }}{% endcall %}",
    "{% filter upper %}shout {{ name }}{% endfilter %}",
    "{# a comment #}a{#- trimmed -#}  b",
    "{% raw %}{{ not rendered }} {% if %}{% endraw %}|{{ name }}",
    "  {%- if true -%}  x  {%- endif -%}  |{{- ' y ' -}}|",
    "line1\n{% if true %}\nline2\n{% endif %}\nline3\n",
    "a\r\nb\r\n",
    "keep\n\n",
    "{% for u in users %}{{ u.name }}{{ ', ' if not loop.last }}{% endfor %}",
    "{% for row in nested %}{% for v in row %}{{ v }};{% endfor %}|{% endfor %}",
    # filters
    "{{ x|round }}|{{ x|round(2) }}|{{ x|round(1, 'floor') }}|{{ x|round(0, 'ceil') }}|{{ 2.5|round }}|{{ 3.5|round }}|{{ 7|round }}|{{ 0.125|round(2) }}|{{ 2.675|round(2) }}",
    "{{ items|sum }}|{{ prices|sum }}|{{ users|sum(attribute='age') }}|{{ [1, 2]|sum(start=10) }}",
    "{{ items|max }}|{{ items|min }}|{{ words|max }}|{{ words|min }}|{{ words|max(case_sensitive=true) }}|{{ users|max(attribute='age') }}|{{ empty|max }}",
    "{{ items|select('odd')|list }}|{{ items|reject('odd')|list }}|{{ items|select('gt', 1)|list }}|{{ items|select('divisibleby', 3)|list }}|{{ mixed|select|list }}",
    "{{ users|selectattr('active')|map(attribute='name')|list }}|{{ users|rejectattr('active')|map(attribute='name')|join(',') }}|{{ users|selectattr('age', 'gt', 28)|list|length }}|{{ users|selectattr('city', 'equalto', 'Paris')|map(attribute='name')|list }}",
    "{{ words|join }}|{{ words|join(', ') }}|{{ items|join('-') }}|{{ users|join(', ', attribute='name') }}|{{ [flag, nothing]|join(' ') }}",
    "{{ undefined_var|default('dflt') }}|{{ nothing|default('dflt') }}|{{ emptys|default('dflt') }}|{{ emptys|default('dflt', true) }}|{{ undefined_var|d('d2') }}",
    "{{ items|length }}|{{ name|length }}|{{ user|length }}|{{ uni|length }}|{{ undefined_var|length }}|{{ words|count }}",
    "{{ name|upper }}|{{ name|lower }}|{{ text|trim }}|{{ '--x--'|trim('-') }}|{{ 'hello world-wide (test)'|title }}|{{ 'hELLO wORLD'|capitalize }}",
    "{{ text|replace('hello', 'bye') }}|{{ 'aaa'|replace('a', 'b', 2) }}",
    "{{ user|tojson }}|{{ mixed|tojson }}|{{ uni|tojson }}|{{ html|tojson }}|{{ obj|tojson(indent=2) }}",
    "{{ items|first }}|{{ items|last }}|{{ name|first }}|{{ empty|first }}|{{ users|first }}",
    "{{ name|list }}|{{ user|list }}|{{ (1, 2)|list }}|{{ undefined_var|list }}",
    "{{ '42'|int }}|{{ '42.9'|int }}|{{ 'abc'|int }}|{{ 'abc'|int(-1) }}|{{ x|int }}|{{ '0x1A'|int(0, 16) }}|{{ flag|int }}|{{ nothing|int }}|{{ ' 7 '|int }}",
    "{{ '3.5'|float }}|{{ 'x'|float }}|{{ n|float }}|{{ '1e3'|float }}|{{ nothing|float }}|{{ 'inf'|float }}",
    "{{ n|string }}|{{ items|string }}|{{ nothing|string }}|{{ flag|string }}|{{ x|string }}",
    "{{ long|truncate(20) }}|{{ long|truncate(20, true) }}|{{ long|truncate(20, false, '!!') }}|{{ 'short'|truncate(20) }}|{{ long|truncate(60) }}|{{ long|truncate(10, leeway=0) }}",
    "{{ long|wordcount }}|{{ 'one, two; three'|wordcount }}|{{ ''|wordcount }}",
    "{{ html|escape }}|{{ html|e }}|{{ nothing|e }}|{{ html|striptags }}|{{ '&amp; &lt;b&gt;'|striptags }}",
    "{{ items|sort }}|{{ words|sort }}|{{ words|sort(case_sensitive=true) }}|{{ items|sort(reverse=true) }}|{{ users|sort(attribute='age')|map(attribute='name')|list }}",
    "{{ [3, 1, 3, 2, 1]|unique|list }}|{{ words|unique|list }}|{{ items|reverse|list }}|{{ name|reverse }}",
    "{{ users|groupby('city')|map(attribute='grouper')|list }}|{% for city, people in users|groupby('city') %}{{ city }}:{{ people|map(attribute='name')|join('/') }};{% endfor %}",
    "{{ users|groupby('city', case_sensitive=true)|list|length }}|{{ (users|groupby('city'))[0] }}",
    "{{ user|dictsort }}|{{ obj|dictsort(reverse=true)|map('first')|list }}|{{ user|items|list|length }}",
    "{{ items|batch(2)|list }}|{{ items|batch(2, 'x')|list }}|{{ range(7)|slice(3)|list }}",
    "{{ 'text'|center(10) }}|{{ 'abc'|center(8) }}|{{ 'line1\\nline2\\n\\nline4'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}",
    "{{ 1234|filesizeformat }}|{{ 1|filesizeformat }}|{{ 500|filesizeformat }}|{{ 123456789|filesizeformat(true) }}",
    "{{ '%s, %s'|format('a', 'b') }}|{{ 'hi %(n)s'|format(n='there') }}|{{ -3|abs }}|{{ neg|abs }}",
    "{{ 'a b&c/d'|urlencode }}|{{ {'q': 'a b', 'n': 1}|urlencode }}|{{ words|map('upper')|list }}|{{ prices|map('int')|list }}",
    "{{ user|attr('name') }}|{{ user|attr('items') is defined }}|{{ items|pprint }}|{{ name|safe }}",
    # tests
    "{{ n is odd }} {{ n is even }} {{ n is divisibleby 7 }} {{ n is divisibleby(2) }} {{ n is number }} {{ x is float }} {{ n is integer }} {{ flag is integer }} {{ flag is number }}",
    "{{ name is string }} {{ user is mapping }} {{ items is iterable }} {{ items is sequence }} {{ nothing is none }} {{ flag is boolean }} {{ flag is true }} {{ nothing is not none }}",
    "{{ undefined_var is undefined }} {{ name is defined }} {{ n is eq 7 }} {{ n is gt 3 }} {{ n is lt(3) }} {{ n is ge 7 }} {{ n is ne 7 }} {{ 2 is in items }} {{ 'upper' is filter }} {{ 'odd' is test }}",
    "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ '123' is lower }} {{ nothing is sameas none }} {{ flag is sameas true }} {{ items|length is even }}",
    "{% if n is defined and n > 5 %}ok{% endif %}|{{ 'a' if undefined_var is defined else 'b' }}",
    # globals
    "{{ dict(a=1, b=2) }}|{{ namespace(a=1).a }}|{% set j = joiner('+') %}{% for i in items %}{{ j() }}{{ i }}{% endfor %}|{% set cy = cycler('x', 'y') %}{{ cy.next() }}{{ cy.next() }}{{ cy.next() }}",
    # list mutation as templates do it
    "{% set acc = [] %}{% for u in users %}{% set _ = acc.append(u.name|upper) %}{% endfor %}{{ acc }}",
    "{% set d = {} %}{% set _ = d.update({'k': 1}) %}{{ d }}|{{ d.get('k') }}|{{ d.get('z', 'none') }}|{{ d.get('z') }}",
    # errors
    "{{ undefined_var.attr }}",
    "{{ nothing.attr.deeper }}",
    "{{ 1 / 0 }}",
    "{{ 'a' + 1 }}",
    "{{ 1 + 'a' }}",
    "{{ items|nosuchfilter }}",
    "{{ n is nosuchtest }}",
    "{% if true %}unclosed",
    "{% for i in nothing %}{% endfor %}",
    "{{ undefined_var + 1 }}",
    "{{ undefined_var() }}",
    "{{ 'x' < 1 }}",
    "{% do items.append(1) %}",
    "{% for i in items %}{% break %}{% endfor %}",
    "{{ items|round }}",
    "{{ 'a %s %s' % ('x',) }}",
]


def render(source):
    try:
        inputs = json.loads(json.dumps(V))
        return {"output": jinja2.Template(source).render(**inputs)}
    except Exception as e:  # noqa: BLE001 - the reference records any failure by its class
        return {"error": type(e).__name__}


out = {"jinja2": jinja2.__version__, "variables": V, "cases": [{"template": c, **render(c)} for c in CASES]}
path = pathlib.Path(__file__).with_name("jinja2-reference.json")
path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print(f"{len(CASES)} cases written to {path}")
