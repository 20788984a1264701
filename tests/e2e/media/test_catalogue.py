"""Categories, colours and themes over HTTP on both profiles: a theme with a category,
colours and a cover image; unique names, #RRGGBB, unknown ids, in-use deletes, versions,
idempotency and who may do what."""

from __future__ import annotations

from typing import Any

from tests.e2e.maintenance.support import Workshop, tag
from tests.e2e.media.images import png


async def upload(shop: Workshop, who: Any, data: bytes, title: str = "cover") -> dict[str, Any]:
    return await shop.ok(  # type: ignore[no-any-return]
        who, "POST", "/images", 201, files={"file": ("a.png", data, "image/png")},
        data={"title": title},
    )  # fmt: skip


async def test_a_theme_with_a_category_colours_and_a_cover_image(shop: Workshop) -> None:
    word = tag()
    body = {"name": f"Seasons {word}", "description": "By season"}
    category = await shop.ok(shop.manager, "POST", "/categories", 201, json=body)
    blue = await shop.ok(shop.manager, "POST", "/colors", 201,
                         json={"name": f"Blue {word}", "hex": "#1e90ff"})  # fmt: skip
    sand = await shop.ok(shop.admin, "POST", "/colors", 201,
                         json={"name": f"Sand {word}", "hex": "#C2B280"})  # fmt: skip
    assert blue["hex"] == "#1E90FF"
    cover = await upload(shop, shop.manager, png())
    created = await shop.call(
        shop.manager, "POST", "/themes",
        json={"name": f"Summer {word}", "description": "Beach days", "category_id": category["id"],
              "color_ids": [blue["id"], sand["id"]], "cover_image_id": cover["id"]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    theme = created.json()
    assert created.headers["location"].endswith(f"/api/v1/themes/{theme['id']}")
    assert created.headers["etag"] == '"1"'
    assert theme["color_ids"] == [blue["id"], sand["id"]]
    assert theme["cover_image_id"] == cover["id"]

    # everyone reads the catalogue; filters by category, colour and text
    for who in (shop.client_user, shop.tech):
        listed = await shop.ok(who, "GET", f"/themes?category_id={category['id']}")
        assert [t["id"] for t in listed["items"]] == [theme["id"]]
    by_color = await shop.ok(shop.client_user, "GET", f"/themes?color_id={sand['id']}")
    assert [t["id"] for t in by_color["items"]] == [theme["id"]]
    by_text = await shop.ok(shop.client_user, "GET", f"/themes?q=SUMMER {word.upper()}")
    assert by_text["total"] == 1
    none = await shop.ok(shop.client_user, "GET", f"/themes?q=winter {word}")
    assert none == {"items": [], "total": 0, "limit": 50, "offset": 0}

    # in use: the category, the colour and the cover image cannot be deleted
    for path, code in (
        (f"/categories/{category['id']}", "category_in_use"),
        (f"/colors/{blue['id']}", "color_in_use"),
        (f"/images/{cover['id']}", "image_in_use"),
    ):
        refused = await shop.call(shop.manager, "DELETE", path)
        assert refused.status_code == 409, (path, refused.text)
        assert refused.json()["code"] == code

    # PATCH with a stale If-Match is 412 and changes nothing; with the right one it works
    stale = await shop.call(
        shop.manager, "PATCH", f"/themes/{theme['id']}",
        json={"color_ids": [sand["id"]]}, headers={"If-Match": '"7"'},
    )  # fmt: skip
    assert stale.status_code == 412
    changed = await shop.call(shop.manager, "PATCH", f"/themes/{theme['id']}",
                              json={"color_ids": [sand["id"]], "cover_image_id": None},
                              headers={"If-Match": '"1"'})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["color_ids"] == [sand["id"]]
    # now the colour and the image are free
    assert (await shop.call(shop.manager, "DELETE", f"/colors/{blue['id']}")).status_code == 204
    assert (await shop.call(shop.manager, "DELETE", f"/images/{cover['id']}")).status_code == 204
    # deleting the theme frees the category
    assert (await shop.call(shop.manager, "DELETE", f"/themes/{theme['id']}")).status_code == 204
    gone = await shop.call(shop.manager, "DELETE", f"/categories/{category['id']}")
    assert gone.status_code == 204
    assert (
        await shop.call(shop.manager, "GET", f"/categories/{category['id']}")
    ).status_code == 404


async def test_unknown_ids_are_422_naming_each_field(shop: Workshop) -> None:
    missing = "0190f0c2-0000-7000-8000-000000000000"
    answer = await shop.call(
        shop.manager, "POST", "/themes",
        json={"name": f"Ghost {tag()}", "category_id": missing, "color_ids": [missing],
              "cover_image_id": missing},
    )  # fmt: skip
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "unknown_reference"
    assert {e["field"] for e in body["errors"]} == {"category_id", "color_ids", "cover_image_id"}


async def test_names_are_unique_and_colours_are_rrggbb(shop: Workshop) -> None:
    word = tag()
    await shop.ok(shop.manager, "POST", "/categories", 201, json={"name": f"Retro {word}"})
    taken = await shop.call(shop.manager, "POST", "/categories", json={"name": f" retro  {word} "})
    assert taken.status_code == 409
    assert taken.json()["code"] == "name_taken"
    assert taken.json()["errors"][0]["field"] == "name"
    for bad in ("1E90FF", "#1E90F", "#GGGGGG", "#1E90FFF", "blue", ""):
        refused = await shop.call(shop.manager, "POST", "/colors",
                                  json={"name": f"C {word} {bad}", "hex": bad})  # fmt: skip
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["field"] == "hex"
    ok = await shop.ok(
        shop.manager, "POST", "/colors", 201, json={"name": f"Red {word}", "hex": "#ff0000"}
    )
    clash = await shop.call(shop.manager, "PATCH", f"/colors/{ok['id']}", json={"hex": "red"})
    assert clash.status_code == 422


async def test_clients_and_technicians_only_read_the_catalogue(shop: Workshop) -> None:
    word = tag()
    category = await shop.ok(shop.manager, "POST", "/categories", 201, json={"name": f"K {word}"})
    for who in (shop.client_user, shop.tech):
        for method, path, body in (
            ("POST", "/categories", {"name": f"X {word}"}),
            ("POST", "/colors", {"name": f"X {word}", "hex": "#000000"}),
            ("POST", "/themes", {"name": f"X {word}"}),
            ("PATCH", f"/categories/{category['id']}", {"name": "Y"}),
            ("DELETE", f"/categories/{category['id']}", None),
        ):
            answer = await shop.call(who, method, path, json=body)
            assert answer.status_code == 403, (method, path, answer.text)
        read = await shop.call(who, "GET", f"/categories/{category['id']}")
        assert read.status_code == 200
        assert read.headers["etag"] == '"1"'
    assert (await shop.client.get("/api/v1/categories")).status_code == 401


async def test_create_honours_idempotency_key(shop: Workshop) -> None:
    body = {"name": f"Once {tag()}"}
    headers = {"Idempotency-Key": tag()}
    first = await shop.call(shop.manager, "POST", "/categories", json=body, headers=headers)
    again = await shop.call(shop.manager, "POST", "/categories", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = await shop.call(shop.manager, "POST", "/categories", json={"name": "Other"},
                            headers=headers)  # fmt: skip
    assert other.status_code == 422


async def test_lists_page_and_sort(shop: Workshop) -> None:
    word = tag()
    for name in ("b", "A", "c"):
        await shop.ok(shop.manager, "POST", "/colors", 201,
                      json={"name": f"{word} {name}", "hex": "#123456"})  # fmt: skip
    page = await shop.ok(shop.client_user, "GET", f"/colors?q={word}&limit=2&sort=-name")
    assert page["total"] == 3
    assert page["limit"] == 2
    assert [c["name"] for c in page["items"]] == [f"{word} c", f"{word} b"]
    assert (await shop.call(shop.client_user, "GET", "/colors?limit=-1")).status_code == 422
    assert (await shop.call(shop.client_user, "GET", "/colors?sort=hex")).status_code == 422
